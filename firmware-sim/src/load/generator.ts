import { performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../clock.js';
import { Handset } from '../devices/handset.js';
import { type HandsetPolicy, quickAccept } from '../devices/handset-policy.js';
import type { SimSite } from '../site/sim-site.js';
import { AlarmLatency } from './alarm-latency.js';
import { forEachLimited } from './pool.js';
import { type GeneratorKind, type PumpStats, TelemetryPump } from './telemetry-pump.js';
import { WorkerPump } from './worker-pump.js';

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
  /**
   * Worker threads sending the telemetry of all but the alarm bands. 0 (default): everything in
   * this thread. The handsets and the alarm bands stay here, apart from the load, so alarm
   * latency is measured by a thread that has time to notice it.
   */
  workers?: number;
  /** Bands kept in this thread, from which SOS are pressed (they send telemetry too). Default 200. */
  alarmBands?: number;
  /**
   * How the workers' bands send (see GeneratorKind). Default `lean`. The bands kept in this
   * thread are always MQTT.js wristbands: they press SOS and hear reassurance.
   */
  generator?: GeneratorKind;
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
  /** How late the generator was at worst against its own schedule (any thread). */
  maxLagMs: number;
  /** Connection trouble reported by the clients (refused, reset, …). */
  troubles: number;
  /** Each thread's own account: [0] is the main thread (handsets, alarm bands), then the workers. */
  threads: PumpStats[];
}

/**
 * Many wristbands, each its own connection (MQTT.js in this thread, lean ones in the workers), sending telemetry at an even rate and SOS at
 * random moments, plus handsets that close every alert quickly; measures alarm latency end to end.
 * With `workers`, the telemetry of most bands is sent from worker threads.
 */
export class LoadGenerator {
  readonly latency = new AlarmLatency();
  private readonly local: TelemetryPump;
  private readonly residentOf = new Map<string, string>();
  private readonly remote: WorkerPump[] = [];
  private readonly handsets: Handset[];
  private readonly now: () => number;
  private readonly random: () => number;
  private sosTimer: NodeJS.Timeout | undefined;
  private remoteStats: PumpStats[] = [];
  private readonly counts = { sosSkippedBusy: 0, dispatches: 0, troubles: 0 };

  constructor(private readonly opts: LoadOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.random = opts.random ?? Math.random;
    const clock = opts.clock ?? systemClock;
    const common = { url: opts.url, siteId: opts.site.id, clock };
    // A band behind a serial base station (`via`) is not an MQTT client: the serial bench drives it.
    const bands = opts.site.devices.filter((d) => d.kind === 'wristband' && d.residentId && !d.via);
    for (const b of bands) this.residentOf.set(b.id, b.residentId!);
    const workers = opts.workers ?? 0;
    const kept = workers > 0 ? bands.slice(0, opts.alarmBands ?? 200) : bands;
    const pumpCommon = {
      url: opts.url,
      siteId: opts.site.id,
      ratePerDevice: opts.ratePerDevice,
      heartbeatS: opts.heartbeatS ?? 60,
      ...(opts.tickMs ? { tickMs: opts.tickMs } : {}),
      connectConcurrency: Math.max(1, Math.floor((opts.connectConcurrency ?? 100) / Math.max(1, workers))),
    };
    this.local = new TelemetryPump({
      ...pumpCommon,
      bands: kept,
      random: this.random,
      clock,
      generator: 'mqttjs',
    });
    const rest = bands.slice(kept.length);
    for (let w = 0; w < workers && rest.length > 0; w++) {
      const share = rest.filter((_, i) => i % workers === w).map((b) => ({ id: b.id, secret: b.secret }));
      if (share.length > 0)
        this.remote.push(
          new WorkerPump({ ...pumpCommon, bands: share, generator: opts.generator ?? 'lean' }),
        );
    }
    const behaviour = opts.handsetPolicy ?? quickAccept();
    const onTrouble = () => {
      this.counts.troubles++;
    };
    this.handsets = opts.site.staff.map((s) => {
      const h = new Handset({ ...common, id: s.id, secret: s.secret, behaviour });
      h.on('dispatch', (d) => {
        this.counts.dispatches++;
        // Received when its bytes reached the handset's socket: what the handset's own MQTT stack
        // and JSON parsing then take is the phone's time, not the gateway's.
        const now = this.now();
        const readAt = opts.now ? now : Math.min(now, h.lastReadAt || now);
        this.latency.dispatched(d, readAt, Date.now() - (now - readAt));
      });
      h.on('withdrawn', (w) => {
        if (w.reason === 'resolved' || w.reason === 'cancelled') this.latency.closed(w.alertId);
      });
      h.on('trouble', onTrouble);
      return h;
    });
  }

  /** Handsets first (so no dispatch is missed), then bands in limited batches, in every thread. */
  async connect(onProgress?: (connected: number, total: number) => void): Promise<void> {
    const total = this.handsets.length + this.residentOf.size;
    const done = new Array(this.remote.length + 2).fill(0);
    const report = (slot: number) => (n: number) => {
      done[slot] = n;
      onProgress?.(
        done.reduce((a, b) => a + b, 0),
        total,
      );
    };
    const { failed } = await forEachLimited(
      this.handsets,
      this.opts.connectConcurrency ?? 100,
      (h) => h.connect(),
      report(0),
    );
    if (failed.length > 0)
      throw new Error(`${failed.length} handsets could not connect, e.g. ${failed[0]!.error.message}`);
    await Promise.all([
      this.local.connect(report(1)),
      ...this.remote.map((r, i) => r.connect(report(i + 2))),
    ]);
  }

  async startTelemetry(): Promise<void> {
    this.local.start();
    await Promise.all(this.remote.map((r) => r.start()));
  }

  /** Starts every thread's own measurement window (after the warm-up). */
  async measure(): Promise<void> {
    this.local.measure();
    await Promise.all(this.remote.map((r) => r.measure()));
  }

  startSos(): void {
    if (this.opts.sosPerMin <= 0 || this.local.bands.length === 0) return;
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
    const bands = this.local.bands;
    for (let attempt = 0; attempt < 20; attempt++) {
      const band = bands[Math.floor(this.random() * bands.length)]!;
      const residentId = this.residentOf.get(band.id)!;
      if (this.latency.busy(residentId)) continue;
      this.latency.sent(residentId, this.now(), Date.now());
      band.sos().catch(() => {
        this.counts.troubles++;
      });
      return;
    }
    this.counts.sosSkippedBusy++;
  }

  /** Stops sending; what is in flight still completes. */
  async stop(): Promise<void> {
    clearTimeout(this.sosTimer);
    this.local.stop();
    await Promise.all(this.remote.map((r) => r.stop()));
  }

  /** Fetches the workers' counts; stats() reports the last ones fetched. */
  async refresh(): Promise<LoadStats> {
    this.remoteStats = await Promise.all(this.remote.map((r) => r.stats()));
    return this.stats();
  }

  /**
   * Waits until every telemetry message is acknowledged and every SOS dispatched, or `maxMs`;
   * returns how long that took, or null at the timeout.
   */
  async drain(maxMs: number, onProgress?: (s: LoadStats) => void): Promise<number | null> {
    const start = this.now();
    while (this.now() < start + maxMs) {
      const s = await this.refresh();
      onProgress?.(s);
      if (s.telemetryAcked + s.telemetryFailed >= s.telemetrySent && s.alarmsWaiting === 0)
        return this.now() - start;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  }

  stats(): LoadStats {
    const threads = [this.local.stats(), ...this.remoteStats];
    const sum = (k: 'telemetrySent' | 'telemetryAcked' | 'telemetryFailed' | 'troubles' | 'bands') =>
      threads.reduce((a, t) => a + t[k], 0);
    return {
      bands: sum('bands'),
      handsets: this.handsets.length,
      telemetrySent: sum('telemetrySent'),
      telemetryAcked: sum('telemetryAcked'),
      telemetryFailed: sum('telemetryFailed'),
      sosSent: this.latency.sosSent,
      sosSkippedBusy: this.counts.sosSkippedBusy,
      dispatchesReceived: this.counts.dispatches,
      alarmsMatched: this.latency.matched,
      alarmsWaiting: this.latency.waiting,
      maxLagMs: Math.max(...threads.map((t) => t.maxLagMs)),
      troubles: this.counts.troubles + sum('troubles'),
      threads,
    };
  }

  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
    await forEachLimited(this.handsets, 200, (h) => h.close());
    await Promise.all([this.local.close(), ...this.remote.map((r) => r.close())]);
  }
}
