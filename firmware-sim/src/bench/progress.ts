import { Presets, SingleBar } from 'cli-progress';

const FORMATS = {
  connecting: 'connecting |{bar}| {value}/{total} clients',
  running:
    'running    |{bar}| {value}/{total} s | telemetry {sent} | SOS {sos} | {rate} msg/s | gateway RSS {rss} MiB',
  outage: 'running    |{bar}| {value}/{total} s | {phase} | telemetry {sent} | outbox {backlog} points',
  draining: 'draining   |{bar}| {value}/{total} points written | outbox {backlog} points',
  history: 'simulating |{bar}| {value}/{total} hours | {sent} messages',
  catchUp: 'catching up |{bar}| {value}/{total} messages acknowledged (bands send what they kept)',
  replay: 'replaying  |{bar}| {value}/{total} hours | {sent} messages',
  serial: 'serial SOS |{bar}| {value}/{total} SOS | {phase}',
} as const;

/**
 * A progress bar on stderr (cli-progress: redraws one line in place and stays silent when stderr
 * is not a terminal, so `--json > result.json` and CI logs get no bar noise).
 */
export class Progress {
  private readonly bar: SingleBar;

  constructor(kind: keyof typeof FORMATS, total: number) {
    this.bar = new SingleBar(
      { format: FORMATS[kind], stream: process.stderr, hideCursor: true, clearOnComplete: false },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { sent: 0, sos: 0, rate: '0', rss: '?', phase: '', backlog: '?' });
  }

  update(value: number, payload: Record<string, unknown> = {}): void {
    this.bar.update(value, payload);
  }

  stop(): void {
    this.bar.stop();
  }
}
