/**
 * `npm run bench -- --scenario serial`: the serial link. (a) Frames per second one FrameDecoder
 * sustains (edge's measureDecoder: telemetry frames in 64-byte reads; median of several runs,
 * clean and with 10 % noise between frames). (b) SOS latency through a serial base station: the
 * simulator on one end of a socat PTY pair, the gateway process's serial module on the other
 * (the real serialport package both ends), from the simulator writing the SOS frame to a handset
 * receiving the dispatch; with the gateway otherwise idle, then under the usual telemetry load.
 */
import { performance } from 'node:perf_hooks';
import { measureDecoder } from '@careedge/edge';
import type { LoadGenerator } from '../load/generator.js';
import type { SerialWristband } from '../serial/serial-devices.js';

export interface DecoderFigures {
  frames: number;
  /** Median frames/s, and each run's. */
  clean: { median: number; runs: number[] };
  /** The same with noise bytes between frames, a tenth of the line. */
  noisy: { noiseRatio: number; median: number; runs: number[] };
}

export interface SerialLatency {
  /** What the gateway had besides: idle, or the telemetry load. */
  load: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
  /** SOS with no dispatch within the wait. */
  lost: number;
}

export interface SerialBenchResult {
  decoder: DecoderFigures;
  sosLatencyMs: SerialLatency[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function decoderFigures(runs = 5, frames = 100_000, noiseRatio = 0.1): DecoderFigures {
  measureDecoder({ frames: 10_000, noiseRatio: 0 }); // warm-up: the JIT, not the decoder's first call
  const clean = Array.from({ length: runs }, () => measureDecoder({ frames, noiseRatio: 0 }));
  const noisy = Array.from({ length: runs }, () => measureDecoder({ frames, noiseRatio }));
  return {
    frames,
    clean: { median: median(clean), runs: clean },
    noisy: { noiseRatio, median: median(noisy), runs: noisy },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `count` SOS, one at a time, from the serial bands in turn; each is timed by the load
 * generator's handsets (the dispatch's bytes at the handset's socket), as the MQTT bench's are.
 */
export async function serialSosLatency(o: {
  load: LoadGenerator;
  bands: { band: SerialWristband; residentId: string }[];
  count: number;
  /** SOS sent first and not timed: the first ones pay for cold code paths on both ends. */
  warmup?: number;
  what: string;
  /** Pause between one SOS's dispatch and the next SOS. */
  gapMs?: number;
  onProgress?: (done: number) => void;
}): Promise<SerialLatency> {
  const latency = o.load.latency;
  const warmup = o.warmup ?? 5;
  let lost = 0;
  for (let i = -warmup; i < o.count; i++) {
    if (i === 0) {
      latency.resetHistogram();
      lost = 0;
    }
    const { band, residentId } = o.bands[(i + warmup) % o.bands.length]!;
    // The band's previous alert must be closed (the handsets resolve within ~0.2 s), or this SOS
    // would join it instead of raising a new one.
    for (let w = 0; w < 250 && latency.busy(residentId); w++) await sleep(20);
    const matched = latency.matched;
    latency.sent(residentId, performance.now(), Date.now());
    band.sos().catch(() => undefined); // a refusal shows as a lost alarm
    for (let w = 0; w < 250 && latency.matched === matched; w++) await sleep(5);
    if (latency.matched === matched) lost++;
    if (i >= 0) o.onProgress?.(i + 1);
    await sleep(o.gapMs ?? 50);
  }
  return {
    load: o.what,
    samples: latency.histogram.totalCount,
    p50: latency.percentileMs(50),
    p99: latency.percentileMs(99),
    max: latency.maxMs,
    lost,
  };
}

const n = (x: number) => Math.round(x).toLocaleString('en-GB');

export function formatSerial(r: SerialBenchResult): string {
  const d = r.decoder;
  const lines = [
    `decoder (${n(d.frames)} telemetry frames, 64-byte reads, median of ${d.clean.runs.length}):`,
    `  clean line          ${n(d.clean.median)} frames/s   (runs ${d.clean.runs.map(n).join(', ')})`,
    `  ${Math.round(d.noisy.noiseRatio * 100)} % noise          ${n(d.noisy.median)} frames/s   (runs ${d.noisy.runs.map(n).join(', ')})`,
    'SOS latency through a serial base station (simulator writes the frame → handset has the dispatch):',
  ];
  for (const l of r.sosLatencyMs)
    lines.push(
      `  ${l.load.padEnd(28)} p50 ${l.p50.toFixed(1)} / p99 ${l.p99.toFixed(1)} / max ${l.max.toFixed(1)} ms  (${l.samples} SOS, ${l.lost} lost)`,
    );
  return lines.join('\n');
}
