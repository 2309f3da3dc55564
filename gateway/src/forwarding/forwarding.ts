import { join } from 'node:path';
import type { AlertEvents } from '../alerts/events.js';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import { Pseudonyms } from '../core/pseudonym.js';
import type { FeedbackEvents } from '../feedback/events.js';
import type { IngestEvents } from '../ingest/events.js';
import type { SiteRegister } from '../register/site-register.js';
import { HealthSampler } from './health-sampler.js';
import { type ForwardingMetrics, forwardingMetrics } from './metrics.js';
import { Outbox } from './outbox.js';
import type { OutboxStats } from './outbox-protocol.js';
import { PointEncoder } from './points.js';
import type { TargetOptions } from './targets.js';

const HAND_OVER_POINTS = 2000;

export interface ForwardingDeps {
  bus: EventBus<Pick<IngestEvents, 'device:telemetry' | 'device:status'> & AlertEvents & FeedbackEvents>;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  health: Pick<Health, 'warn' | 'unwarn'>;
  siteId: string;
  register: Pick<SiteRegister, 'allResidents'>;
  config: Pick<GatewayConfig, 'forwarding' | 'dataDir'>;
  /** The gateway's MQTT link, which can hold devices' acknowledgements (see MqttLink.holdAcksUntil). */
  mqtt: { holdAcksUntil?(after: (() => Promise<void> | undefined) | undefined): void };
}

/**
 * Forwarding to InfluxDB (optional: the alarm path never waits for it). Events become points on
 * the main thread; the outbox worker stores them in `<dataDir>/outbox.sqlite` and writes them to
 * InfluxDB, deleting each chunk only once InfluxDB confirmed it.
 */
export class Forwarding implements GatewayModule {
  readonly name = 'forwarding';
  readonly optional = true;
  private readonly metrics: ForwardingMetrics;
  private readonly sampler: HealthSampler;
  private outbox: Outbox | undefined;
  private sampleTimer: unknown;

  constructor(private readonly ctx: ForwardingDeps) {
    this.metrics = forwardingMetrics(ctx.metrics.registry);
    this.sampler = new HealthSampler(ctx.metrics.registry, ctx.clock);
  }

  /** The InfluxDB write settings, or undefined when no InfluxDB is configured. */
  static target(c: GatewayConfig['forwarding']['influx']): TargetOptions | undefined {
    if (!c.url) return undefined;
    return c.version === 1
      ? {
          version: 1,
          url: c.url,
          database: c.database,
          retentionPolicy: c.retentionPolicy,
          username: c.username,
          password: c.password,
          timeoutMs: c.timeoutMs,
        }
      : { version: 2, url: c.url, org: c.org, bucket: c.bucket, token: c.token, timeoutMs: c.timeoutMs };
  }

  async start(): Promise<void> {
    const { bus, clock, log, config, siteId } = this.ctx;
    const f = config.forwarding;
    const target = Forwarding.target(f.influx);
    if (!target) return;
    // A stop (after a failed start) may have left devices waiting on an outbox that is gone.
    this.ctx.mqtt.holdAcksUntil?.(undefined);
    this.metrics.reset();
    const keys = new Pseudonyms(f.residentKeySecret);
    const outbox = new Outbox({
      clock,
      log,
      handOverMs: f.outbox.handOverMs,
      handOverPoints: HAND_OVER_POINTS,
      worker: {
        file: join(config.dataDir, 'outbox.sqlite'),
        target,
        batchPoints: f.outbox.batchPoints,
        maxBytes: Math.round(f.outbox.maxMb * 1024 * 1024),
        keepFreeBytes: Math.round(f.outbox.keepFreeMb * 1024 * 1024),
        retryMinMs: f.outbox.retryMinMs,
        retryMaxMs: f.outbox.retryMaxMs,
        breakerFailures: f.outbox.breakerFailures,
        noConsent: this.ctx.register
          .allResidents()
          .filter((r) => r.forwardVitals === false)
          .map((r) => keys.key('resident', r.id)),
      },
      onStats: (s) => this.onStats(s),
      onQueued: (points) => this.metrics.queued.inc(points),
      onDropped: (points) => this.metrics.dropped.inc(points),
      onTicketTimedOut: () => this.metrics.ackedUnstored.inc(),
      onFailure: (err) =>
        this.ctx.health.warn(
          'forwarding',
          `the outbox worker failed (${err.message}); points wait until it is started again`,
        ),
    });
    this.outbox = outbox;
    await outbox.start();
    // A device's telemetry is acknowledged once its points are in the outbox file: a kill -9
    // then loses none that a band took for delivered.
    this.ctx.mqtt.holdAcksUntil?.(() => outbox.ackTicket());
    const encoder = new PointEncoder({
      siteId,
      keys,
      now: () => clock.now(),
      deviceStatusEveryMs: f.deviceStatusEveryS * 1000,
      sink: (cls, line) => outbox.add(cls, line),
      withheld: (reason) => this.metrics.withheld.inc({ reason }),
    });
    bus.on(this.name, 'device:telemetry', (e) => encoder.telemetry(e));
    bus.on(this.name, 'device:status', (e) => encoder.status(e));
    bus.on(this.name, 'alert:changed', (e) => encoder.alert(e));
    bus.on(this.name, 'feedback:tap', (t) => encoder.feedback(t));
    this.sampler.start();
    const sample = () => {
      this.sampleTimer = clock.setTimeout(() => {
        this.sampler
          .sample(outbox.stats?.backlogPoints ?? 0)
          .then(({ at, fields }) => {
            if (this.outbox === outbox) encoder.health(at, fields);
          })
          .catch((err: unknown) => log.warn({ err }, 'gateway health sample failed; the next one follows'));
        sample();
      }, f.healthIntervalS * 1000);
    };
    sample();
    log.info({ url: target.url, version: target.version }, 'forwarding to InfluxDB');
  }

  async stop(): Promise<void> {
    // The hold stays on the stopped outbox: telemetry read from now on makes no point, and its
    // PUBACK is never answered (a stopping outbox answers no ticket), so at shutdown, the broker
    // closing next, none goes and the band sends it again to the next gateway. Turned off, they
    // were acknowledged at once and lost.
    this.ctx.bus.removeOwner(this.name);
    this.ctx.clock.clearTimeout(this.sampleTimer);
    this.sampler.stop();
    const outbox = this.outbox;
    this.outbox = undefined;
    await outbox?.stop();
  }

  /** Hands the collected points to the outbox worker now (tests, shutdown). */
  handOver(): void {
    this.outbox?.handOver();
  }

  private onStats(s: OutboxStats): void {
    this.metrics.follow(s);
    const { health } = this.ctx;
    if (s.breaker !== 'closed') {
      // An error InfluxDB answered says so itself; any other means no answer at all.
      const error = s.lastError ?? 'no answer';
      const why = error.startsWith('InfluxDB ') ? error : `InfluxDB unreachable (${error})`;
      health.warn('forwarding', `${why}; ${s.backlogPoints} points wait in the outbox`);
    } else if (s.dropped > 0)
      health.warn('forwarding', `outbox full: ${s.dropped} routine points dropped since start`);
    else health.unwarn('forwarding');
  }
}
