import { type FrameRejection, parseFrame } from './codec.js';
import { MAX_FRAME_BYTES, type SerialFrame } from './frames.js';
import { SLIP } from './slip.js';

/**
 * One packet read off the line. `bytes` is how many line bytes it took (escapes counted, the
 * END bytes around it not), for the link's byte counters.
 */
export type DecodeResult =
  | { ok: true; frame: SerialFrame; bytes: number }
  | { ok: false; reason: FrameRejection; detail: string; bytes: number };

export interface FrameDecoderOptions {
  /** Unescaped bytes a packet may reach before it is dropped as oversize. Default 512. */
  maxFrameBytes?: number;
}

/**
 * Turns line bytes, in chunks of any size, into frames and rejections. Never throws, keeps at
 * most `maxFrameBytes` of a packet, and resynchronises at every END: an END always ends a packet,
 * even right after an ESC, so no noise can carry over into the next frame.
 *
 * Not @serialport/parser-slip-encoder's SlipDecoder: that one keeps an unbounded buffer (a line
 * without END grows it for ever), copies the buffer once per byte, and after ESC END it keeps the
 * END as data, which glues the noise onto the next good frame and loses that frame.
 */
export class FrameDecoder {
  private readonly max: number;
  private readonly packet: Buffer;
  /** Unescaped bytes of the current packet kept in `packet`. */
  private length = 0;
  /** Line bytes of the current packet so far. */
  private lineBytes = 0;
  private escaped = false;
  /** Set once the current packet is known bad: the rest of it, up to END, is skipped. */
  private flaw: { reason: FrameRejection; detail: string } | undefined;
  /** The oversize packet was already reported when it crossed the limit. */
  private reported = false;

  constructor(opts: FrameDecoderOptions = {}) {
    this.max = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.packet = Buffer.alloc(this.max);
  }

  push(chunk: Uint8Array): DecodeResult[] {
    const results: DecodeResult[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === SLIP.END) {
        const result = this.endPacket();
        if (result) results.push(result);
        continue;
      }
      this.lineBytes++;
      if (this.flaw) continue;
      let data = byte;
      if (this.escaped) {
        this.escaped = false;
        if (byte === SLIP.ESC_END) data = SLIP.END;
        else if (byte === SLIP.ESC_ESC) data = SLIP.ESC;
        else {
          this.flaw = { reason: 'malformed', detail: `ESC followed by 0x${hex2(byte)}, not 0xdc or 0xdd` };
          continue;
        }
      } else if (byte === SLIP.ESC) {
        this.escaped = true;
        continue;
      }
      if (this.length === this.max) {
        // Reported now, not at the END that may never come; the rest is dropped unseen.
        const detail = `more than ${this.max} bytes without END; skipping to the next END`;
        this.flaw = { reason: 'oversize', detail };
        this.reported = true;
        results.push({ ok: false, reason: 'oversize', detail, bytes: this.lineBytes });
        continue;
      }
      this.packet[this.length++] = data;
    }
    return results;
  }

  private endPacket(): DecodeResult | undefined {
    const bytes = this.lineBytes;
    const { flaw, escaped, reported, length } = this;
    this.length = 0;
    this.lineBytes = 0;
    this.escaped = false;
    this.flaw = undefined;
    this.reported = false;
    if (reported) return undefined;
    if (flaw) return { ok: false, ...flaw, bytes };
    if (escaped) return { ok: false, reason: 'malformed', detail: 'ESC right before END', bytes };
    if (bytes === 0) return undefined; // END END: the gap between two frames, not a packet
    try {
      const parsed = parseFrame(this.packet.subarray(0, length));
      return parsed.ok ? { ok: true, frame: parsed.frame, bytes } : { ...parsed, bytes };
    } catch (err) {
      // parseFrame handles every flaw it knows; this is the promise that push never throws.
      return { ok: false, reason: 'malformed', detail: `cannot be read: ${(err as Error).message}`, bytes };
    }
  }
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
