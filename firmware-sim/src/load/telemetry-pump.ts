import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../clock.js';
import { Wristband } from '../devices/wristband.js';
import { EvenSchedule } from './even-schedule.js';
import { LeanBand } from './lean-band.js';
import { forEachLimited } from './pool.js';

export interface BandLogin {
  id: string;
  secret: string;
}

/**
 * How the bands of a thread talk MQTT: `mqttjs`, the simulated wristband (MQTT.js, everything a
 * real band does); `lean`, the load generator's own sender (raw MQTT, telemetry and heartbeats
 * only), light enough that 20,000 messages a second do not use the core the gateway needs.
 */
export type GeneratorKind = 'mqttjs' | 'lean';

/** One band as the pump drives it. */
interface PumpBand {
  connect(): Promise<void>;
  /** Sends one telemetry message; how it ends is counted in the pump's counts. */
  telemetry(): void;
  close(): Promise<void>;
}

export interface PumpOptions {
  /** Default `mqttjs`. */
  generator?: GeneratorKind;
  url: string;
  siteId: string;
  bands: readonly BandLogin[];
  /** Telemetry messages per second per band. */
  ratePerDevice: number;
  /** How often the schedule is looked at. Default 5 ms. */
  tickMs?: number;
  heartbeatS?: number | false;
  connectConcurrency?: number;
  random?: () => number;
  clock?: Clock;
}

/** What one thread of the load generator did, and how hard it had to work for it. */
export interface PumpStats {
  bands: number;
  telemetrySent: number;
  telemetryAcked: number;
  telemetryFailed: number;
  troubles: number;
  /** How late the thread was at worst against its own schedule. */
  maxLagMs: number;
  /** Its event loop's delay, p99, while measuring (ms, timer resolution subtracted). */
  loopDelayP99Ms: number;
  /** Share of the time its event loop was busy while measuring (0–1): its headroom is 1 − this. */
  utilization: number;
}

const LOOP_RESOLUTION_MS = 10;

/**
 * Wristbands of one thread sending telemetry on an even schedule, and the thread's own account of
 * whether it kept up. Used by the main thread (for the bands that also press SOS) and by each
 * telemetry worker, so a load figure can say whether the generator, not the gateway, was the limit.
 */
export class TelemetryPump {
  /** The MQTT.js bands (empty with the lean generator), for the runner to press SOS on. */
  readonly bands: Wristband[] = [];
  private readonly senders: PumpBand[];
  private schedule: EvenSchedule | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly counts = { acked: 0, failed: 0, troubles: 0, maxLagMs: 0 };
  private readonly loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private eluStart = performance.eventLoopUtilization();

  constructor(private readonly opts: PumpOptions) {
    const clock = opts.clock ?? systemClock;
    const common = {
      url: opts.url,
      siteId: opts.siteId,
      clock,
      heartbeatS: opts.heartbeatS ?? 60,
      ...(opts.random ? { random: opts.random } : {}),
    };
    if (opts.generator === 'lean') {
      this.senders = opts.bands.map((b) => new LeanBand({ ...common, ...b, counts: this.counts }));
      return;
    }
    this.bands = opts.bands.map((b) => {
      const band = new Wristband({ ...common, ...b });
      band.on('trouble', () => {
        this.counts.troubles++;
      });
      return band;
    });
    this.senders = this.bands.map((band) => ({
      connect: () => band.connect(),
      close: () => band.close(),
      telemetry: () => {
        band.telemetry().then(
          () => {
            this.counts.acked++;
          },
          () => {
            this.counts.failed++;
          },
        );
      },
    }));
  }

  async connect(onDone?: (done: number, total: number) => void): Promise<void> {
    const { failed } = await forEachLimited(
      this.senders,
      this.opts.connectConcurrency ?? 100,
      (b) => b.connect(),
      onDone,
    );
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} of ${this.senders.length} bands could not connect, e.g. ${failed[0]!.error.message}`,
      );
    }
  }

  start(): void {
    if (this.senders.length === 0 || this.opts.ratePerDevice <= 0) return;
    const schedule = new EvenSchedule(this.senders.length, this.opts.ratePerDevice, performance.now());
    this.schedule = schedule;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.counts.maxLagMs = Math.max(this.counts.maxLagMs, now - schedule.nextDueMs);
      for (const i of schedule.due(now)) this.senders[i]!.telemetry();
    }, this.opts.tickMs ?? 5);
  }

  /** Starts the thread's own measurement window (after the warm-up). */
  measure(): void {
    this.loop.reset();
    this.loop.enable();
    this.eluStart = performance.eventLoopUtilization();
    this.counts.maxLagMs = 0;
  }

  stop(): void {
    clearInterval(this.timer);
    this.loop.disable();
  }

  stats(): PumpStats {
    const elu = performance.eventLoopUtilization(this.eluStart);
    const p99 = this.loop.count > 0 ? this.loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS : 0;
    return {
      bands: this.senders.length,
      telemetrySent: this.schedule?.issued ?? 0,
      telemetryAcked: this.counts.acked,
      telemetryFailed: this.counts.failed,
      troubles: this.counts.troubles,
      maxLagMs: this.counts.maxLagMs,
      loopDelayP99Ms: Math.max(0, p99),
      utilization: elu.utilization,
    };
  }

  async close(): Promise<void> {
    this.stop();
    await forEachLimited(this.senders, 200, (b) => b.close());
  }
}
