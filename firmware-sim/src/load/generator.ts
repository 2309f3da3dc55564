import { performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../clock.js';
import { Handset } from '../devices/handset.js';
import { type HandsetPolicy, quickAccept } from '../devices/handset-policy.js';
import { Wristband } from '../devices/wristband.js';
import type { SimSite } from '../site/sim-site.js';
import { AlarmLatency } from './alarm-latency.js';
import { EvenSchedule } from './even-schedule.js';
import { forEachLimited } from './pool.js';

export interface LoadOptions {
  url: string;
  /** Wristbands (each with its own resident) and staff to simulate. */
  site: SimSite;
  /** Telemetry messages per second per band. */
  ratePerDevice: number;
  /** SOS per minute across all bands, at random moments (a Poisson process). */
  sosPerMin: number;
  /** Connections being set up at once. Default 100. */
  connectConcurrency?: number;
  /** How often the telemetry schedule is looked at. Default 5 ms. */
  tickMs?: number;
  /** What every handset does with a dispatch; default: accept, arrive and resolve within ~0.2 s. */
  handsetPolicy?: HandsetPolicy;
  heartbeatS?: number | false;
  random?: () => number;
  /** Monotonic milliseconds for latency; default performance.now. */
  now?: () => number;
  /** Device clock (message `ts`). */
  clock?: Clock;
}

export interface LoadStats {
  bands: number;
  handsets: number;
  telemetrySent: number;
  telemetryAcked: number;
  telemetryFailed: number;
  sosSent: number;
  /** SOS moments skipped because every band tried already had an alarm going. */
  sosSkippedBusy: number;
  dispatchesReceived: number;
  alarmsMatched: number;
  /** SOS still without a dispatch: lost alarms once the run has drained. */
  alarmsWaiting: number;
  /** How late the generator was at worst against its own schedule (its event loop was busy). */
  maxLagMs: number;
  /** Connection trouble reported by the clients (refused, reset, …). */
  troubles: number;
}

/**
 * Many wristbands, each its own MQTT.js connection, sending telemetry at an even rate and SOS at
 * random moments, plus handsets that close every alert quickly; measures alarm latency end to end.
 */
export class LoadGenerator {
  readonly latency = new AlarmLatency();
  private readonly bands: { band: Wristband; residentId: string }[];
  private readonly handsets: Handset[];
  private readonly now: () => number;
  private readonly random: () => number;
  private telemetryTimer: NodeJS.Timeout | undefined;
  private sosTimer: NodeJS.Timeout | undefined;
  private schedule: EvenSchedule | undefined;
  private readonly counts = {
    telemetryAcked: 0,
    telemetryFailed: 0,
    sosSkippedBusy: 0,
    dispatches: 0,
    troubles: 0,
    maxLagMs: 0,
  };

  constructor(private readonly opts: LoadOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.random = opts.random ?? Math.random;
    const clock = opts.clock ?? systemClock;
    const common = { url: opts.url, siteId: opts.site.id, clock };
    const onTrouble = () => {
      this.counts.troubles++;
    };
    this.bands = opts.site.devices
      .filter((d) => d.kind === 'wristband' && d.residentId)
      .map((d) => {
        const band = new Wristband({
          ...common,
          id: d.id,
          secret: d.secret,
          heartbeatS: opts.heartbeatS ?? 60,
          random: this.random,
        });
        band.on('trouble', onTrouble);
        return { band, residentId: d.residentId! };
      });
    const behaviour = opts.handsetPolicy ?? quickAccept();
    this.handsets = opts.site.staff.map((s) => {
      const h = new Handset({ ...common, id: s.id, secret: s.secret, behaviour });
      h.on('dispatch', (d) => {
        this.counts.dispatches++;
        this.latency.dispatched(d, this.now(), Date.now());
      });
      h.on('withdrawn', (w) => {
        if (w.reason === 'resolved' || w.reason === 'cancelled') this.latency.closed(w.alertId);
      });
      h.on('trouble', onTrouble);
      return h;
    });
  }

  /** Handsets first (so no dispatch is missed), then bands in limited batches. */
  async connect(onProgress?: (connected: number, total: number) => void): Promise<void> {
    const limit = this.opts.connectConcurrency ?? 100;
    const clients = [...this.handsets, ...this.bands.map((b) => b.band)];
    const { failed } = await forEachLimited(clients, limit, (c) => c.connect(), onProgress);
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} of ${clients.length} clients could not connect, e.g. ${failed[0]!.error.message}`,
      );
    }
  }

  startTelemetry(): void {
    if (this.bands.length === 0 || this.opts.ratePerDevice <= 0) return;
    const schedule = new EvenSchedule(this.bands.length, this.opts.ratePerDevice, this.now());
    this.schedule = schedule;
    this.telemetryTimer = setInterval(() => {
      const now = this.now();
      this.counts.maxLagMs = Math.max(this.counts.maxLagMs, now - schedule.nextDueMs);
      for (const i of schedule.due(now)) {
        this.bands[i]!.band.telemetry().then(
          () => {
            this.counts.telemetryAcked++;
          },
          () => {
            this.counts.telemetryFailed++;
          },
        );
      }
    }, this.opts.tickMs ?? 5);
  }

  startSos(): void {
    if (this.opts.sosPerMin <= 0 || this.bands.length === 0) return;
    const meanMs = 60_000 / this.opts.sosPerMin;
    const next = () => {
      // Exponential gaps make a Poisson process: alarms come at random, sometimes close together.
      const gap = -Math.log(1 - this.random()) * meanMs;
      this.sosTimer = setTimeout(() => {
        this.sosFromRandomBand();
        next();
      }, gap);
    };
    next();
  }

  /** One SOS from a random band that has no alarm going (a second one would join, not raise). */
  sosFromRandomBand(): void {
    for (let attempt = 0; attempt < 20; attempt++) {
      const pick = this.bands[Math.floor(this.random() * this.bands.length)]!;
      if (this.latency.busy(pick.residentId)) continue;
      this.latency.sent(pick.residentId, this.now(), Date.now());
      pick.band.sos().catch(() => {
        this.counts.troubles++;
      });
      return;
    }
    this.counts.sosSkippedBusy++;
  }

  /** Stops sending; what is in flight still completes. */
  stop(): void {
    clearInterval(this.telemetryTimer);
    clearTimeout(this.sosTimer);
  }

  /** Waits until every telemetry message is acknowledged and every SOS dispatched, or `maxMs`. */
  async drain(maxMs: number): Promise<void> {
    const until = this.now() + maxMs;
    while (this.now() < until) {
      const s = this.stats();
      if (s.telemetryAcked + s.telemetryFailed >= s.telemetrySent && s.alarmsWaiting === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stats(): LoadStats {
    return {
      bands: this.bands.length,
      handsets: this.handsets.length,
      telemetrySent: this.schedule?.issued ?? 0,
      telemetryAcked: this.counts.telemetryAcked,
      telemetryFailed: this.counts.telemetryFailed,
      sosSent: this.latency.sosSent,
      sosSkippedBusy: this.counts.sosSkippedBusy,
      dispatchesReceived: this.counts.dispatches,
      alarmsMatched: this.latency.matched,
      alarmsWaiting: this.latency.waiting,
      maxLagMs: this.counts.maxLagMs,
      troubles: this.counts.troubles,
    };
  }

  async close(): Promise<void> {
    this.stop();
    const clients = [...this.bands.map((b) => b.band), ...this.handsets];
    await forEachLimited(clients, 200, (c) => c.close());
  }
}
