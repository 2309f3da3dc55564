import { readFileSync } from 'node:fs';
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
import { alertChangeMessage, KpiPeriod } from './messages.js';
import { type UplinkMetrics, uplinkMetrics } from './metrics.js';
import { UplinkQueue, type UplinkStream } from './queue.js';
import { UplinkSender } from './sender.js';

export interface UplinkDeps {
  bus: EventBus<AlertEvents>;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  health: Pick<Health, 'warn' | 'unwarn'>;
  siteId: string;
  /** Open alerts now, for the KPI summary. */
  alerts: { open(): readonly unknown[] };
  config: Pick<GatewayConfig, 'uplink' | 'forwarding' | 'dataDir'>;
}

/**
 * The uplink to a head office (optional): alert changes and KPI summaries, pseudonymous, through
 * a durable queue (`<dataDir>/uplink.sqlite`) to an upstream MQTT broker. Each message is
 * committed to the queue before anything is published; the alarm path never waits for the
 * broker. See docs/uplink.md for the contract.
 */
export class Uplink implements GatewayModule {
  readonly name = 'uplink';
  readonly optional = true;
  private readonly metrics: UplinkMetrics;
  private queue: UplinkQueue | undefined;
  private sender: UplinkSender | undefined;
  private kpiTimer: unknown;
  private droppedAlerts = 0;
  private linkDown: string | undefined;

  constructor(private readonly ctx: UplinkDeps) {
    this.metrics = uplinkMetrics(ctx.metrics.registry);
  }

  async start(): Promise<void> {
    const { bus, clock, config, siteId } = this.ctx;
    const u = config.uplink;
    if (!u.url) return;
    const log = this.ctx.log.child({ module: 'uplink' });
    const queue = new UplinkQueue(
      join(config.dataDir, 'uplink.sqlite'),
      u.maxQueued,
      Math.round(u.keepFreeMb * 1024 * 1024),
    );
    this.queue = queue;
    this.metrics.backlog.set(queue.size);
    const keys = new Pseudonyms(config.forwarding.residentKeySecret);
    const topic = (s: UplinkStream) => `${u.topicPrefix}/${siteId}/${s}`;
    const sender = new UplinkSender({
      url: u.url,
      mqtt: {
        clientId: u.clientId || `careedge-${siteId}`,
        username: u.username || undefined,
        password: u.password || undefined,
        ca: u.caFile ? readFileSync(u.caFile) : undefined,
        clean: true,
        connectTimeout: 10_000,
      },
      queue,
      clock,
      log,
      retryMinMs: u.retryMinMs,
      retryMaxMs: u.retryMaxMs,
      onSent: (sent) => {
        for (const m of sent) this.metrics.sent.inc({ stream: m.stream });
        this.metrics.backlog.set(queue.size);
      },
      onLink: (up, error) => {
        this.metrics.connected.set(up ? 1 : 0);
        this.linkDown = up ? undefined : error;
        this.report();
      },
    });
    this.sender = sender;

    const enqueue = (stream: UplinkStream, message: { id: string }) => {
      const { id, ...rest } = message;
      let dropped: UplinkStream | undefined;
      try {
        dropped = queue.add(stream, id, topic(stream), (seq) => JSON.stringify({ id, seq, ...rest }));
      } catch (err) {
        // Nobody sends an alert change twice: one that cannot be stored is lost to the head
        // office, and says so, like one dropped from a full queue.
        this.dropped(stream, `the uplink queue could not be written (${(err as Error).message})`);
        return;
      }
      this.metrics.queued.inc({ stream });
      this.metrics.backlog.set(queue.size);
      if (dropped) this.dropped(dropped, 'uplink queue full: the oldest alert change was dropped');
      sender.kick();
    };
    const period = new KpiPeriod();
    bus.on(this.name, 'alert:changed', (change) => {
      if (u.kpis) period.see(change);
      if (u.alerts) enqueue('alerts', alertChangeMessage(siteId, keys, clock.now(), change));
    });
    if (u.kpis) {
      const everyMs = u.kpiIntervalS * 1000;
      let reported = 0; // end of the latest period summarised
      let stepsBack = 0;
      // Periods aligned to the clock (whole minutes), so every site's summaries line up.
      const next = (from: number) => {
        const to = (Math.floor(from / everyMs) + 1) * everyMs;
        this.kpiTimer = clock.setTimeout(
          () => {
            const repeat = to <= reported ? stepsBack : 0;
            enqueue('kpis', period.take(siteId, to - everyMs, to, this.ctx.alerts.open().length, repeat));
            reported = Math.max(reported, to);
            const now = clock.now();
            // The clock stepped back more than a period: from now, not an hour of no summaries.
            if (now < to - everyMs) stepsBack++;
            // From now rather than `to` after a jump forward: one summary, not one per missed period.
            next(now < to - everyMs ? now : Math.max(to, now));
          },
          Math.max(0, to - clock.now()),
        );
      };
      next(clock.now());
    }
    sender.start();
    log.info({ url: u.url, backlog: queue.size }, 'uplink to the head office broker');
  }

  async stop(): Promise<void> {
    this.ctx.bus.removeOwner(this.name);
    this.ctx.clock.clearTimeout(this.kpiTimer);
    await this.sender?.stop();
    this.sender = undefined;
    this.queue?.close();
    this.queue = undefined;
    this.metrics.connected.set(0);
  }

  private dropped(stream: UplinkStream, why: string): void {
    this.metrics.dropped.inc({ stream });
    if (stream !== 'alerts') return;
    this.droppedAlerts++;
    this.ctx.log.error(
      { module: 'uplink', dropped: this.droppedAlerts, maxQueued: this.ctx.config.uplink.maxQueued },
      `${why}; the head office will not see it`,
    );
    this.report();
  }

  /** One /healthz warning for the uplink: the broker unreachable, alert changes dropped, or both. */
  private report(): void {
    const parts: string[] = [];
    if (this.linkDown !== undefined)
      parts.push(
        `no link to the head office broker (${this.linkDown}); ${this.queue?.size ?? 0} messages queued`,
      );
    if (this.droppedAlerts > 0)
      parts.push(`${this.droppedAlerts} alert changes dropped since start (queue full or not writable)`);
    if (parts.length > 0) this.ctx.health.warn('uplink', parts.join('; '));
    else this.ctx.health.unwarn('uplink');
  }
}
