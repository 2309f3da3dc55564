import { messageExamples } from '../protocol/examples.js';
import { encodeFrame } from './codec.js';
import { FrameDecoder } from './decoder.js';

export interface DecoderLoad {
  /** Frames to decode (telemetry, the bulk of a base station's traffic). */
  frames: number;
  /** Noise bytes per frame byte, between frames (0.1: a tenth of the line is noise). */
  noiseRatio: number;
}

/** Serial reads arrive in chunks about this size. */
const CHUNK_BYTES = 64;

/**
 * Frames per second one FrameDecoder gets through on this machine, for `npm run bench`. The line
 * is built first (frames with noise between them, a fixed seed) so only decoding is timed.
 */
export function measureDecoder({ frames, noiseRatio }: DecoderLoad): number {
  const line = buildLine(frames, noiseRatio);
  const decoder = new FrameDecoder();
  let decoded = 0;
  const start = performance.now();
  for (let at = 0; at < line.length; at += CHUNK_BYTES) {
    for (const r of decoder.push(line.subarray(at, at + CHUNK_BYTES))) if (r.ok) decoded++;
  }
  const seconds = (performance.now() - start) / 1000;
  // Noise never lands inside a frame, so every frame must come out; fewer means a decoder bug.
  if (decoded < frames) throw new Error(`decoder bench: ${decoded} of ${frames} frames decoded`);
  return frames / seconds;
}

function buildLine(frames: number, noiseRatio: number): Buffer {
  let seed = 0x2545f491;
  const random = (): number => {
    // xorshift32: deterministic noise, so runs compare.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  const parts: Buffer[] = [];
  for (let i = 0; i < frames; i++) {
    const payload = { ...messageExamples.WristbandTelemetry, seq: i };
    const frame = encodeFrame({ type: 'telemetry', deviceId: `wb-${i % 64}`, linkSeq: i, payload });
    parts.push(frame);
    const noise = Math.round(frame.length * noiseRatio * 2 * random());
    if (noise > 0) {
      const bytes = Buffer.alloc(noise);
      for (let n = 0; n < noise; n++) bytes[n] = Math.floor(random() * 256);
      parts.push(bytes); // the next frame's leading END closes it
    }
  }
  return Buffer.concat(parts);
}
