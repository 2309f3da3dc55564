import { Counter, type Registry } from 'prom-client';
import type { AlertChange, AlertEvents } from '../alerts/events.js';
import type { Alert, Priority } from '../alerts/model.js';
import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import { summaryLine } from '../alerts/storm-changes.js';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { GatewayModule } from '../core/module.js';
import type { SiteRegister } from '../register/register.js';
import type { StormWatch } from './storm-watch.js';

/** The summary's device and zone: the gateway itself, and no zone (so the supervisor is asked). */
export const SUMMARY_DEVICE = 'gateway';
const NO_ZONE = 'unassigned';
const RETRY_MS = 5000;
const rank: Record<Priority, number> = { high: 3, medium: 2, low: 1 };
const isHeld = (a: Alert) => a.state === 'raised' && a.heldBack !== null;
const isSummary = (a: Alert) => a.kind === 'alert-summary' && a.deviceId === SUMMARY_DEVICE;

export function stormCounters(registry: Registry) {
  const registers = [registry];
  return {
    storms: new Counter({
      registers,
      name: 'careedge_alert_storms_total',
      help: 'Alert storms (rules.storm.alerts new alerts within rules.storm.windowS).',
    }),
    heldBack: new Counter({
      registers,
      name: 'careedge_alerts_held_back_total',
      help: 'Medium and low alerts held back from handsets in a storm (summarised to the supervisor).',
      labelNames: ['priority'] as const,
    }),
  };
}

export interface StormDeps {
  config: Pick<GatewayConfig, 'rules'>;
  clock: Clock;
  log: Logger;
  bus: EventBus<AlertEvents>;
  register: SiteRegister;
  alerts: AlertService;
  alertStore: AlertStore;
}

/**
 * What an alert storm does with the alerts StormWatch holds back: lists them, as they come, in one
 * alert-summary alert to the shift supervisor (a repeat of it, not a new alert per batch), notes
 * in each held-back alert's trail where it went, and dispatches those still open once the storm
 * is over, paced. A held-back alert stays open and visible all along, and one raised to high
 * priority while held goes out at once: nothing is dropped, and no handset gets sixty alerts in
 * ten seconds.
 */
export class AlertStorm implements GatewayModule {
  readonly name = 'alert-storm';
  private pending: Alert[] = [];
  private flushQueued = false;
  private summaryId: number | null = null;
  /** Alerts the open summary lists. */
  private total = 0;
  private retry: unknown;
  /** The next paced release after a storm. */
  private releaser: unknown;

  constructor(
    private readonly ctx: StormDeps,
    private readonly watch: StormWatch,
  ) {}

  start(): void {
    this.ctx.bus.on(this.name, 'alert:changed', (c) => this.onChange(c));
    this.watch.onEnd = () => this.release();
    // After a restart: the storm's raises, the summary it was writing, and the alerts it holds.
    const open = this.ctx.alerts.open();
    const held = open.filter(isHeld);
    const summary = held.length === 0 ? undefined : open.filter(isSummary).at(-1);
    if (summary) this.resume(summary);
    const listed = new Set(summary ? this.listedIn(summary.id) : []);
    // Held, but in no open summary (a crash before it was written, or the supervisor closed it).
    this.pending = held.filter((a) => !listed.has(a.id));
    if (this.pending.length > 0) this.queueFlush();
    this.watch.restore(
      open.filter((a) => a.kind !== 'alert-summary').map((a) => a.raisedAt),
      held.length > 0,
    );
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
    this.watch.stop();
    if (this.retry !== undefined) this.ctx.clock.clearTimeout(this.retry);
    this.retry = undefined;
    this.stopReleasing();
  }

  private onChange({ alert, action }: AlertChange): void {
    if (action === 'raised' && alert.heldBack !== null) {
      this.pending.push(alert);
      this.queueFlush();
    } else if (alert.id === this.summaryId && (action === 'resolved' || action === 'cancelled')) {
      this.summaryId = null; // alerts held back after this open a new summary
    } else if (isHeld(alert) && alert.priority === 'high') {
      // Raised to high while held (a rule's reprioritisation, a repeat): it cannot wait.
      this.dispatch(alert, 'raised to high priority');
    }
  }

  /** One summary change per turn, however many alerts the turn held back. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    try {
      const fresh = batch.map((a) => this.ctx.alerts.get(a.id)).filter(isHeld);
      if (fresh.length === 0) return;
      const summaryId = this.summarise(fresh);
      for (const a of fresh) this.ctx.alerts.stormChanges.heldIn(a, summaryId);
    } catch (err) {
      // They stay held (open, visible) and are dispatched when the storm ends; try to list them again.
      this.ctx.log.error({ err, alerts: batch.length }, 'could not summarise held-back alerts; trying again');
      this.pending.push(...batch);
      this.retryLater();
    }
  }

  private summarise(batch: Alert[]): number {
    const open = this.summaryId === null ? null : this.ctx.alerts.get(this.summaryId);
    if (open && open.state !== 'resolved' && open.state !== 'cancelled') {
      this.total += batch.length;
      const summary = this.ctx.alerts.stormChanges.summarise(open.id, batch, this.total);
      this.askNewSupervisors(summary);
      return summary.id;
    }
    this.total = batch.length;
    const { alert } = this.ctx.alerts.raise({
      kind: 'alert-summary',
      priority: batch.reduce<Priority>((p, a) => (rank[a.priority] > rank[p] ? a.priority : p), 'low'),
      deviceId: SUMMARY_DEVICE,
      residentId: null,
      roomId: null,
      zoneId: NO_ZONE,
      joins: [],
      detail: {
        reason: 'alert storm: these alerts are held back from handsets until it is over',
        total: this.total,
        alerts: batch.map(summaryLine),
      },
    });
    this.summaryId = alert.id;
    this.ctx.log.warn(
      { summaryId: alert.id, held: batch.length },
      'alert storm: summarised to the supervisor',
    );
    return alert.id;
  }

  /**
   * A storm across a shift change: while nobody has taken the summary, the supervisor who came on
   * shift is asked too (the one who left keeps it on her screen until someone takes it).
   */
  private askNewSupervisors(summary: Alert): void {
    if (summary.state !== 'dispatched') return;
    const asked = new Set(this.ctx.alertStore.targets(summary.id).map((t) => t.staffId));
    const now = this.ctx.clock.now();
    if (this.ctx.register.supervisorsOnShift(now).some((s) => !asked.has(s.id)))
      this.ctx.alerts.dispatch(summary.id, 'escalation', { reason: 'shift change' });
  }

  /**
   * The storm is over: what it held and is still open goes out, the most urgent first, at most
   * `releasePerWindow` every window (a rate that is itself no storm), so the carers are not
   * flooded after the storm instead of during it. A new storm pauses it; its end goes on with it.
   */
  private release(): void {
    this.stopReleasing();
    if (this.watch.active) return;
    this.flush();
    const held = this.ctx.alerts
      .open()
      .filter(isHeld)
      .sort((a, b) => rank[b.priority] - rank[a.priority] || a.id - b.id);
    const batch = held.slice(0, this.releasePerWindow());
    const sent = batch.filter((a) => this.dispatch(a, 'storm over'));
    const waiting = held.length - sent.length;
    if (waiting > 0) this.releaser = this.ctx.clock.setTimeout(() => this.release(), this.windowMs());
    this.ctx.log.warn({ released: sent.length, waiting, summaryId: this.summaryId }, 'alert storm: released');
    if (this.summaryId !== null) this.noteOver(this.summaryId, held.length);
    this.summaryId = null;
  }

  private releasePerWindow(): number {
    return Math.max(1, Math.ceil(this.ctx.config.rules.storm.alerts / 2) - 1);
  }

  private windowMs(): number {
    return this.ctx.config.rules.storm.windowS * 1000;
  }

  /** The summary's trail: the storm is over, and how its held alerts go out. */
  private noteOver(summaryId: number, open: number): void {
    try {
      const { windowS } = this.ctx.config.rules.storm;
      this.ctx.alerts.stormChanges.note(
        this.ctx.alerts.get(summaryId),
        `storm over: ${open} held-back alerts still open are dispatched, the most urgent first, at most ${this.releasePerWindow()} every ${windowS} s; the others it listed were closed meanwhile`,
        { stillOpen: open },
      );
    } catch (err) {
      this.ctx.log.error({ err }, 'could not note the end of the storm on its summary');
    }
  }

  private stopReleasing(): void {
    if (this.releaser !== undefined) this.ctx.clock.clearTimeout(this.releaser);
    this.releaser = undefined;
  }

  /** Its first dispatch, now; false if that failed (it stays held, and is tried again). */
  private dispatch(alert: Alert, why: string): boolean {
    try {
      this.ctx.alerts.dispatch(alert.id, 'new', { released: why });
      return true;
    } catch (err) {
      this.ctx.log.error({ err, alertId: alert.id }, 'could not dispatch a held-back alert');
      return false;
    }
  }

  /** After a failure to summarise (SQLite busy, storage trouble): list what waits, soon. */
  private retryLater(): void {
    if (this.retry !== undefined) return;
    this.retry = this.ctx.clock.setTimeout(() => {
      this.retry = undefined;
      this.flush();
    }, RETRY_MS);
  }

  private resume(summary: Alert): void {
    this.summaryId = summary.id;
    this.total = this.listedIn(summary.id).length;
  }

  /** The alerts a summary's trail lists. */
  private listedIn(summaryId: number): number[] {
    return this.ctx.alertStore
      .audit(summaryId)
      .flatMap((e) => (Array.isArray(e.detail.alerts) ? (e.detail.alerts as { id: number }[]) : []))
      .map((l) => l.id);
  }
}
