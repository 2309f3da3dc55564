import { join } from 'node:path';
import { formatRecordedLine, type RecordedChannel, type RecordedMessage } from '@careedge/edge';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import type { FromDevice, IngestEvents } from '../ingest/events.js';
import { RecordingFiles } from './recording-files.js';

/** Buffered lines are written this often (gateway clock), or sooner at FLUSH_LINES. */
const FLUSH_MS = 1000;
const FLUSH_LINES = 5000;
/** A disk slower than the stream: beyond this many waiting lines, new ones are dropped (counted). */
const MAX_WAITING = 200_000;
/** A stopped recording tries again this often, in case the disk has room or is writable again. */
const RETRY_MS = 60_000;

type RecordedEvents = Pick<
  IngestEvents,
  'device:telemetry' | 'device:event' | 'device:heartbeat' | 'device:status'
>;

export interface IngestRecorderDeps {
  bus: EventBus<RecordedEvents>;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  config: Pick<GatewayConfig, 'rules' | 'dataDir'>;
  /** Free bytes on the recordings' disk (statfs unless a test fills the disk). */
  freeBytes?: (dir: string) => Promise<number>;
}

function recorderMetrics(registry: Registry) {
  const reg = { registers: [registry] };
  return {
    messages: new Counter({
      ...reg,
      name: 'careedge_recorder_messages_total',
      help: 'Device messages for the ingest recording, by result: written, or dropped (recording stopped, or the disk behind).',
      labelNames: ['result'] as const,
    }),
    recording: new Gauge({
      ...reg,
      name: 'careedge_recorder_recording',
      help: '1 while the ingest recording writes, 0 while it is stopped (disk full or not writable; it tries again every minute).',
    }),
  };
}

/**
 * Records the accepted ingest stream as JSON lines (edge's RecordedMessage: the format of
 * firmware-sim's histories, `ts` the gateway's receive time) for `careedge replay`. Optional and
 * off the alarm path: a listener only keeps a reference; lines are serialised and written in a
 * timer, asynchronously; a full or read-only disk stops the recording (one log line, a metric),
 * never an alarm.
 */
export class IngestRecorder implements GatewayModule {
  readonly name = 'recorder';
  readonly optional = true;
  private readonly m: ReturnType<typeof recorderMetrics>;
  private files: RecordingFiles | undefined;
  private waiting: RecordedMessage[] = [];
  private writing: Promise<void> | undefined;
  /** Since a write failed: dropping until retryAt, then trying again. */
  private stopped = false;
  private retryAt = 0;
  /** The stop was logged; the next successful write logs the resumption. */
  private stopLogged = false;
  private timer: unknown;

  constructor(private readonly ctx: IngestRecorderDeps) {
    this.m = recorderMetrics(ctx.metrics.registry);
  }

  start(): void {
    const { bus, clock, config } = this.ctx;
    const r = config.rules.record;
    if (!r.enabled) return;
    const dir = r.dir || join(config.dataDir, 'recordings');
    this.files = new RecordingFiles({
      dir,
      maxFileBytes: Math.round(r.maxFileMb * 1048576),
      keepFiles: r.keepFiles,
      keepFreeBytes: Math.round(r.keepFreeMb * 1048576),
      now: () => clock.now(),
      ...(this.ctx.freeBytes ? { freeBytes: this.ctx.freeBytes } : {}),
    });
    this.stopped = false;
    this.m.recording.set(1);
    const on = <K extends keyof RecordedEvents>(event: K, channel: RecordedChannel) =>
      bus.on(this.name, event, (e) => this.add(channel, e as FromDevice<never>));
    on('device:telemetry', 'deviceTelemetry');
    on('device:event', 'deviceEvent');
    on('device:heartbeat', 'deviceHeartbeat');
    on('device:status', 'deviceStatus');
    this.schedule(FLUSH_MS);
    this.ctx.log.info({ dir }, 'recording the ingest stream');
  }

  async stop(): Promise<void> {
    this.ctx.bus.removeOwner(this.name);
    this.ctx.clock.clearTimeout(this.timer);
    if (!this.files) return;
    // What is waiting goes to the disk first: a restart loses nothing that was handed over.
    await this.idle();
    this.flush();
    await this.idle();
    await this.files.close().catch(() => {});
    this.files = undefined;
    this.m.recording.set(0);
  }

  /** Resolves once the lines handed to the disk so far are written (or given up). */
  async idle(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private add(channel: RecordedChannel, e: FromDevice<never>): void {
    if (this.stopped || this.waiting.length >= MAX_WAITING) {
      this.m.messages.inc({ result: 'dropped' });
      return;
    }
    this.waiting.push({ ts: e.receivedAt, deviceId: e.source.device.id, channel, payload: e.message });
    if (this.waiting.length >= FLUSH_LINES) this.flush();
  }

  private schedule(ms: number): void {
    this.timer = this.ctx.clock.setTimeout(() => {
      // Stopped: after a while, gather again; the next write tells whether the disk took it.
      if (this.stopped && this.ctx.clock.now() >= this.retryAt) this.stopped = false;
      this.flush();
      this.schedule(FLUSH_MS);
    }, ms);
  }

  /** Hands the waiting lines to the disk, one write at a time; lines keep gathering meanwhile. */
  private flush(): void {
    const files = this.files;
    if (this.writing !== undefined || !files || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    const chunk = `${batch.map(formatRecordedLine).join('\n')}\n`;
    this.writing = files
      .append(chunk)
      .then(
        () => this.written(batch.length),
        (err: unknown) => this.fail(err, batch.length),
      )
      .finally(() => {
        this.writing = undefined;
      });
  }

  private written(lines: number): void {
    this.m.messages.inc({ result: 'written' }, lines);
    if (!this.stopLogged) return;
    this.stopLogged = false;
    this.m.recording.set(1);
    this.ctx.log.info('ingest recording resumed');
  }

  private fail(err: unknown, lost: number): void {
    this.m.messages.inc({ result: 'dropped' }, lost + this.waiting.length);
    this.waiting = [];
    this.stopped = true;
    this.retryAt = this.ctx.clock.now() + RETRY_MS;
    this.m.recording.set(0);
    if (this.stopLogged) return;
    this.stopLogged = true;
    const e = err as NodeJS.ErrnoException;
    this.ctx.log.error(
      { error: e.message, code: e.code },
      'ingest recording stopped: its disk takes no more (alarms are not affected); trying again every minute',
    );
  }
}
