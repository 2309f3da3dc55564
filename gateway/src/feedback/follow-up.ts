import type { Alert } from '../alerts/model.js';
import { OPEN_STATES } from '../alerts/model.js';
import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { SiteRegister } from '../register/register.js';
import type { DeviceContext } from '../register/types.js';
import type { FeedbackMetrics } from './metrics.js';
import type { FeedbackStore } from './store.js';

const KIND = 'feedback-follow-up';
const HOUR_MS = 3_600_000;
/** In the audit of the step that sent a follow-up again at its due time: it is sent once. */
const OVERDUE = 'feedback follow-up overdue';
const isFollowUp = (a: Alert, kioskId?: string) =>
  a.kind === KIND && (kioskId === undefined || a.deviceId === kioskId);

export interface FollowUpDeps {
  config: Pick<GatewayConfig, 'feedback' | 'dispatch'>;
  clock: Clock;
  log: Logger;
  register: Pick<SiteRegister, 'supervisorsOnShift'>;
  alerts: Pick<AlertService, 'raise' | 'open' | 'get' | 'dispatch' | 'reminded'>;
  alertStore: Pick<AlertStore, 'audit'>;
}

/**
 * Unhappy bursts at a kiosk → a supervisor follow-up: a low-priority `feedback-follow-up` alert
 * for the kiosk's room, dispatched to the supervisors on shift first (dispatch/plan.ts), one open
 * per kiosk (a later burst repeats it). The window is read from the stored taps, so a restart in
 * the middle of one loses nothing.
 *
 * Its deadline: alerts have no due time of their own (their deadline is the next escalation or
 * reminder), so the due time is recorded in the raise (`dueAt`, `followUpDeadlineH` on) and kept
 * here as a timer: a follow-up still open then goes to the supervisors on shift again (an
 * escalation while nobody took it, a reminder to its owner and them once somebody did).
 */
export class FollowUps {
  private readonly timers = new Map<number, unknown>();

  constructor(
    private readonly ctx: FollowUpDeps,
    private readonly store: FeedbackStore,
    private readonly metrics: FeedbackMetrics,
  ) {}

  /** After a restart: the due times of the open follow-ups not yet sent again as overdue. */
  resume(): void {
    for (const a of this.ctx.alerts.open()) {
      if (!isFollowUp(a)) continue;
      const audit = this.ctx.alertStore.audit(a.id);
      if (!audit.some((e) => e.detail.reason === OVERDUE)) this.scheduleDue(a, this.recordedDue(a, audit));
    }
  }

  stop(): void {
    for (const t of this.timers.values()) this.ctx.clock.clearTimeout(t);
    this.timers.clear();
  }

  /** A tap was counted at the kiosk: does its window now hold an unhappy burst? */
  check(source: DeviceContext, now: number): void {
    const { burst } = this.ctx.config.feedback;
    const kioskId = source.device.id;
    const w = this.store.window(kioskId, now - burst.windowMin * 60_000);
    if (w.lastId === null || w.taps < burst.minTaps || w.unhappy / w.taps < burst.unhappyShare) return;
    const open = this.ctx.alerts.open().find((a) => isFollowUp(a, kioskId));
    const dueAt = now + this.ctx.config.feedback.followUpDeadlineH * HOUR_MS;
    const { alert, created } = this.ctx.alerts.raise({
      kind: KIND,
      priority: 'low',
      deviceId: kioskId,
      residentId: null,
      roomId: source.room?.id ?? null,
      zoneId: source.zone?.id ?? 'unassigned',
      joins: [KIND],
      joinAlert: open?.id ?? null,
      // A burst while the supervisor is already on it still reaches her trail.
      joinStates: OPEN_STATES,
      detail: {
        reason: `unhappy burst at kiosk ${kioskId}: ${w.unhappy} of ${w.taps} taps unhappy within ${burst.windowMin} min`,
        kiosk: kioskId,
        taps: w.taps,
        unhappy: w.unhappy,
        ...(open ? {} : { dueAt }),
      },
    });
    this.store.markBurst(kioskId, w.lastId, now);
    this.metrics.followUps.inc({ followUp: created ? 'opened' : 'updated' });
    this.ctx.log.info({ kiosk: kioskId, alertId: alert.id, created, ...w }, 'unhappy burst at a kiosk');
    if (created) this.scheduleDue(alert, dueAt);
  }

  private scheduleDue(alert: Alert, dueAt: number): void {
    const delay = Math.max(0, dueAt - this.ctx.clock.now());
    this.timers.set(
      alert.id,
      this.ctx.clock.setTimeout(() => this.due(alert.id), delay),
    );
  }

  /** The due time recorded in the raise; the configured one if it cannot be read. */
  private recordedDue(alert: Alert, audit: ReturnType<AlertStore['audit']>): number {
    const raised = audit.find((e) => e.action === 'raised');
    const dueAt = raised?.detail.dueAt;
    return typeof dueAt === 'number'
      ? dueAt
      : alert.raisedAt + this.ctx.config.feedback.followUpDeadlineH * HOUR_MS;
  }

  /** Due and still open: the supervisors on shift are asked again. */
  private due(alertId: number): void {
    this.timers.delete(alertId);
    try {
      const a = this.ctx.alerts.get(alertId);
      const detail = { reason: OVERDUE };
      if (a.state === 'raised' || a.state === 'dispatched')
        this.ctx.alerts.dispatch(a.id, 'escalation', detail);
      else if (a.state === 'acknowledged' || a.state === 'attended') {
        const now = this.ctx.clock.now();
        const to = [a.ownerId!, ...this.ctx.register.supervisorsOnShift(now).map((s) => s.id)];
        const next = a.deadlineAt ?? now + this.ctx.config.dispatch.resolveTimeoutS * 1000;
        this.ctx.alerts.reminded(a.id, [...new Set(to)], next, detail);
      }
    } catch (err) {
      this.ctx.log.error({ err, alertId }, 'could not send an overdue feedback follow-up again');
    }
  }
}
