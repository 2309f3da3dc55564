import type { DispatchReason } from '@careedge/edge';
import type { Alert } from '../alerts/model.js';
import type { GatewayContext, GatewayModule } from '../core/context.js';
import type { AlertChange } from '../core/events.js';
import { dispatchMessage, withdrawal } from './messages.js';

/** How soon a timer action that failed (e.g. SQLite busy) is tried again. */
const RETRY_MS = 5000;

/**
 * Sends alerts to the right people and keeps them moving: escalates when nobody accepts in
 * time (or everyone declines), sends an accepted alert again when nobody arrives, and clears it
 * from every handset when it is taken or closed. Deadlines live in SQLite, so after a restart
 * each open alert resumes exactly; one that passed while the gateway was down fires at once.
 */
export class Dispatcher implements GatewayModule {
  readonly name = 'dispatch';
  private readonly timers = new Map<number, unknown>();

  constructor(private readonly ctx: GatewayContext) {}

  start(): void {
    this.ctx.bus.on(this.name, 'alert:changed', (c) => this.onChange(c));
    this.ctx.bus.on(this.name, 'staff:status', ({ staffId, state }) => {
      if (state === 'online') this.resendTo(staffId);
    });
    for (const alert of this.ctx.alerts.open()) {
      if (alert.state === 'raised') this.escalate(alert, 'new');
      else this.schedule(alert);
    }
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
    for (const t of this.timers.values()) this.ctx.clock.clearTimeout(t);
    this.timers.clear();
  }

  /** Everyone at the current level declined: move on now instead of waiting for the timeout. */
  escalateNow(alertId: number): void {
    const alert = this.ctx.alerts.get(alertId);
    if (alert.state === 'dispatched') this.escalate(alert, 'escalation');
  }

  /**
   * A handset that (re)connects gets every open alert that is waiting for it: messages sent
   * while it was away (Wi-Fi drop, gateway restart) would otherwise be lost with its session.
   */
  private resendTo(staffId: string): void {
    for (const alert of this.ctx.alerts.open()) {
      if (this.currentRecipients(alert).includes(staffId)) this.send(alert, [staffId], 'resend');
    }
  }

  private onChange({ alert, action, detail }: AlertChange): void {
    switch (action) {
      case 'repeated':
        this.send(alert, this.currentRecipients(alert), 'update');
        this.schedule(alert); // an upgrade to a higher priority may have brought the deadline forward
        break;
      case 'acknowledged':
        this.schedule(alert);
        this.withdraw(
          alert,
          this.everyoneAsked(alert).filter((s) => s !== alert.ownerId),
          'taken',
          alert.ownerId!,
        );
        break;
      case 'attended':
        this.unschedule(alert.id);
        break;
      case 'resolved':
      case 'cancelled':
        this.unschedule(alert.id);
        this.withdraw(alert, this.everyoneAsked(alert), action === 'resolved' ? 'resolved' : 'cancelled');
        break;
      case 'handed-over':
        this.send(alert, [alert.ownerId!], 'handover');
        this.withdraw(alert, [String(detail.from)], 'handed-over', alert.ownerId!);
        break;
      case 'dispatched':
      case 'escalated': {
        const to = detail.to as string[];
        if (to.length === 0) {
          this.ctx.log.error(
            { alertId: alert.id, zone: alert.zoneId },
            'nobody is on shift to receive this alert',
          );
        }
        this.send(alert, to, action === 'dispatched' ? 'new' : 'escalation');
        this.schedule(alert);
        break;
      }
      case 'reminded':
        this.schedule(alert);
        break;
      case 'raised':
      case 'cancel-requested':
      case 'received':
      case 'declined':
        break;
    }
  }

  /** Dispatches at level 0 ('new') or the next level; sending follows the committed change. */
  private escalate(alert: Alert, reason: 'new' | 'escalation'): void {
    const plan = this.ctx.planner.plan(alert, reason === 'new' ? null : alert.level, this.ctx.clock.now());
    this.ctx.alerts.dispatch(alert.id, plan, reason);
  }

  private remind(alert: Alert): void {
    const now = this.ctx.clock.now();
    const supervisors = this.ctx.register.supervisorsOnShift(now).map((s) => s.id);
    const to = [...new Set([alert.ownerId!, ...supervisors])];
    const updated = this.ctx.alerts.reminded(
      alert.id,
      to,
      now + this.ctx.config.dispatch.attendTimeoutS * 1000,
    );
    this.send(updated, to, 'reminder');
  }

  private fire(alertId: number): void {
    this.timers.delete(alertId);
    const alert = this.ctx.alerts.get(alertId);
    if (alert.state === 'raised') this.escalate(alert, 'new');
    else if (alert.state === 'dispatched') this.escalate(alert, 'escalation');
    else if (alert.state === 'acknowledged') this.remind(alert);
  }

  private schedule(alert: Alert): void {
    this.unschedule(alert.id);
    if (alert.deadlineAt === null) return;
    const delay = alert.deadlineAt - this.ctx.clock.now();
    const run = () => {
      try {
        this.fire(alert.id);
      } catch (err) {
        // A failed escalation (e.g. SQLite busy) must not leave the alert waiting forever.
        this.ctx.log.error({ err, alertId: alert.id }, 'escalation failed; trying again in 5 s');
        this.timers.set(alert.id, this.ctx.clock.setTimeout(run, RETRY_MS));
      }
    };
    if (delay <= 0) {
      // Overdue (the gateway was down when it fell due): act now, not after another timeout.
      this.timers.set(alert.id, 'due');
      queueMicrotask(() => this.timers.get(alert.id) === 'due' && run());
    } else {
      this.timers.set(alert.id, this.ctx.clock.setTimeout(run, delay));
    }
  }

  private unschedule(alertId: number): void {
    const t = this.timers.get(alertId);
    if (t !== undefined && t !== 'due') this.ctx.clock.clearTimeout(t);
    this.timers.delete(alertId);
  }

  private everyoneAsked(alert: Alert): string[] {
    const ids = this.ctx.alertStore.targets(alert.id).map((t) => t.staffId);
    return [...new Set(alert.ownerId ? [...ids, alert.ownerId] : ids)];
  }

  private currentRecipients(alert: Alert): string[] {
    if (alert.ownerId) return [alert.ownerId];
    return this.ctx.alertStore
      .targets(alert.id)
      .filter((t) => t.level === alert.level && t.declinedAt === null)
      .map((t) => t.staffId);
  }

  private send(alert: Alert, staffIds: string[], reason: DispatchReason): void {
    const message = dispatchMessage(alert, reason, this.ctx.register, this.ctx.clock.now());
    for (const id of staffIds) this.ctx.mqtt.publish('staffDispatch', id, message);
  }

  private withdraw(
    alert: Alert,
    staffIds: string[],
    reason: 'taken' | 'cancelled' | 'resolved' | 'handed-over',
    by?: string,
  ) {
    const message = withdrawal(alert, reason, this.ctx.clock.now(), by);
    for (const id of staffIds) this.ctx.mqtt.publish('staffDispatch', id, message);
  }
}
