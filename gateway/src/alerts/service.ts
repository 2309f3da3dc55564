import type { AlertKind, Outcome } from '@careedge/edge';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { AlertAction, AlertChange, GatewayEvents } from '../core/events.js';
import type { Metrics } from '../core/metrics.js';
import type { DispatchPlan, DispatchPlanner } from '../dispatch/plan.js';
import type { SiteRegister } from '../register/register.js';
import { AlertError } from './errors.js';
import { type Actor, type Alert, actorName, type Priority } from './model.js';
import { type Command, isOpen, transition } from './state-machine.js';
import type { AlertStore } from './store.js';

export interface Trigger {
  kind: AlertKind;
  priority: Priority;
  deviceId: string;
  residentId: string | null;
  roomId: string | null;
  zoneId: string;
  /** Alert kinds that a new trigger of this kind joins instead of opening a second alert. */
  joins: AlertKind[];
  detail?: Record<string, unknown>;
  /** Runs inside the transaction that records this trigger (see FromDevice.settle). */
  settle?: () => void;
}

const rank: Record<Priority, number> = { high: 3, medium: 2, low: 1 };
const staffActor = (id: string): Actor => ({ kind: 'staff', id });

/**
 * The alert lifecycle with its rules: who may do what, in which state. Every change is one SQLite
 * transaction (alert row + audit row); the change is announced on the bus only after the commit,
 * so nobody is ever told about an alert that a power cut could lose.
 */
export class AlertService {
  constructor(
    private readonly store: AlertStore,
    private readonly register: SiteRegister,
    private readonly bus: EventBus<GatewayEvents>,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly planner: DispatchPlanner,
  ) {
    this.metrics.openAlerts.set(this.store.open().length);
  }

  get(id: number): Alert {
    const alert = this.store.get(id);
    if (!alert) throw new AlertError('alert-not-found', `alert ${id} does not exist`);
    return alert;
  }

  /** A new alert, or — when the resident's (or room's) same alert is still open — a repeat of it. */
  raise(t: Trigger): { alert: Alert; created: boolean } {
    const now = this.clock.now();
    const existing = this.store.findOpen(t.joins, t.residentId, t.roomId);
    if (existing) {
      const upgrade = rank[t.priority] > rank[existing.priority];
      const alert = this.change(
        existing.id,
        'repeat',
        { kind: 'device', id: t.deviceId },
        'repeated',
        (a) => {
          t.settle?.();
          return {
            count: a.count + 1,
            lastTriggerAt: now,
            ...(upgrade ? { priority: t.priority, kind: t.kind } : {}),
            // Waiting for acceptance at a higher priority: its (shorter) timeout applies from now.
            ...(upgrade && a.deadlineAt !== null && a.state === 'dispatched'
              ? { deadlineAt: Math.min(a.deadlineAt, this.planner.ackDeadline(t.priority, now)) }
              : {}),
          };
        },
        { trigger: t.kind, ...(upgrade ? { upgradedTo: t.priority } : {}), ...t.detail },
      );
      return { alert, created: false };
    }
    // One commit for the new alert and its first dispatch: durable before anyone is told, and
    // one fsync instead of two on the alarm path (an SD card's fsync can take tens of ms).
    const [raised, dispatched] = this.store.transaction(() => {
      t.settle?.();
      const id = this.store.insert(t, now);
      const detail = { kind: t.kind, priority: t.priority, ...t.detail };
      this.store.appendAudit({
        alertId: id,
        at: now,
        actor: actorName({ kind: 'device', id: t.deviceId }),
        action: 'raised',
        fromState: null,
        toState: 'raised',
        detail,
      });
      const alert = this.store.get(id)!;
      const raisedChange: AlertChange = {
        alert,
        previousState: null,
        action: 'raised',
        actor: { kind: 'device', id: t.deviceId },
        detail,
      };
      return [raisedChange, this.applyDispatch(id, this.planner.plan(alert, null, now), 'new')] as const;
    });
    this.metrics.alertsRaised.inc({ kind: t.kind, priority: t.priority });
    this.metrics.openAlerts.inc();
    this.bus.emit('alert:changed', raised);
    return { alert: this.finish(dispatched), created: true };
  }

  /**
   * Sends the alert to the level `plan` names: 'new' for an alert that was never dispatched
   * (left in `raised` by a crash), 'escalation' for the next level. Commits, then announces.
   */
  dispatch(id: number, plan: DispatchPlan, reason: 'new' | 'escalation'): Alert {
    return this.finish(this.store.transaction(() => this.applyDispatch(id, plan, reason)));
  }

  private applyDispatch(id: number, plan: DispatchPlan, reason: 'new' | 'escalation'): AlertChange {
    const now = this.clock.now();
    const { level, staffIds, deadlineAt } = plan;
    return this.applyChange(
      id,
      reason === 'new' ? 'dispatch' : 'escalate',
      { kind: 'system' },
      reason === 'new' ? 'dispatched' : 'escalated',
      () => {
        for (const s of staffIds) this.store.addTarget(id, level, s, now);
        return { level, deadlineAt };
      },
      { level, to: staffIds },
    );
  }

  /** Nobody arrived in time after the acknowledgement: the alert was sent again. */
  reminded(id: number, staffIds: string[], deadlineAt: number): Alert {
    return this.change(
      id,
      'remind',
      { kind: 'system' },
      'reminded',
      (a) => {
        // Recorded as recipients, so they too see the alert withdrawn when it ends.
        for (const s of staffIds) this.store.addTarget(id, a.level, s, this.clock.now());
        return { deadlineAt };
      },
      { to: staffIds },
    );
  }

  received(id: number, staffId: string): void {
    this.staff(staffId);
    const alert = this.get(id);
    // Only for an open alert that was sent to this person: the audit trail cannot be deleted, so
    // it must not take rows anyone can invent.
    if (!isOpen(alert.state) || !this.store.targets(id).some((t) => t.staffId === staffId)) {
      throw new AlertError('not-dispatched-to-you', `alert ${id} was not sent to ${staffId}, or is closed`);
    }
    this.note(alert, 'received', staffActor(staffId), () =>
      this.store.markReceived(id, staffId, this.clock.now()),
    );
  }

  /**
   * The first to accept owns the alert. Anyone on shift may accept (the carer nearest the room
   * need not be the one asked), and anyone it was sent to; accepting again is not an error.
   */
  acknowledge(id: number, staffId: string, attendDeadlineAt: number): Alert {
    this.staff(staffId);
    const alert = this.get(id);
    if (alert.ownerId === staffId && (alert.state === 'acknowledged' || alert.state === 'attended'))
      return alert;
    const onShift = this.register.staffOnShift(this.clock.now()).some((s) => s.id === staffId);
    if (!onShift && !this.store.targets(id).some((t) => t.staffId === staffId)) {
      throw new AlertError(
        'not-on-shift',
        `${staffId} is not on shift and was not asked to take alert ${id}`,
      );
    }
    return this.change(id, 'acknowledge', staffActor(staffId), 'acknowledged', () => ({
      ownerId: staffId,
      acknowledgedAt: this.clock.now(),
      deadlineAt: attendDeadlineAt,
    }));
  }

  /** Records a decline; returns the alert and whether everyone asked at the current level has declined. */
  decline(id: number, staffId: string, reason?: string): { alert: Alert; allDeclined: boolean } {
    this.staff(staffId);
    let allDeclined = false;
    const alert = this.change(
      id,
      'decline',
      staffActor(staffId),
      'declined',
      (a) => {
        if (this.store.markDeclined(id, a.level, staffId, this.clock.now()) === 0) {
          throw new AlertError(
            'not-dispatched-to-you',
            `alert ${id} is not waiting for ${staffId} to accept it`,
          );
        }
        allDeclined = this.store
          .targets(id)
          .filter((t) => t.level === a.level)
          .every((t) => t.declinedAt !== null);
        return {};
      },
      reason ? { reason } : {},
    );
    return { alert, allDeclined };
  }

  attend(id: number, staffId: string): Alert {
    this.owner(id, staffId, 'mark arrival for');
    const alert = this.get(id);
    if (alert.state === 'attended') return alert; // arrived twice (a lost result, a retry): fine
    return this.change(id, 'attend', staffActor(staffId), 'attended', () => ({
      attendedAt: this.clock.now(),
      deadlineAt: null,
    }));
  }

  resolve(id: number, staffId: string, outcome: Outcome, note?: string): Alert {
    this.owner(id, staffId, 'resolve');
    return this.change(
      id,
      'resolve',
      staffActor(staffId),
      'resolved',
      () => ({
        outcome,
        note: note ?? null,
        closedAt: this.clock.now(),
        deadlineAt: null,
      }),
      { outcome, ...(note ? { note } : {}) },
    );
  }

  /** The owner hands over; a supervisor on shift may reassign (say, the owner's handset died). */
  handover(id: number, staffId: string, to: string, note?: string): Alert {
    this.staff(staffId);
    const alert = this.get(id);
    const supervisor = this.register.supervisorsOnShift(this.clock.now()).some((s) => s.id === staffId);
    if (!supervisor) this.owner(id, staffId, 'hand over');
    if (to === alert.ownerId)
      throw new AlertError('invalid-handover', `alert ${id} is already owned by ${to}`);
    if (!this.register.staff(to)) {
      throw new AlertError('unknown-staff', `cannot hand over to unknown staff member "${to}"`);
    }
    return this.change(id, 'handover', staffActor(staffId), 'handed-over', () => ({ ownerId: to }), {
      from: alert.ownerId,
      to,
      ...(note ? { note } : {}),
    });
  }

  /** A reset at the device that may not close this alert (it is taken, or an emergency): noted. */
  cancelRequested(id: number, actor: Actor): void {
    this.note(this.get(id), 'cancel-requested', actor);
  }

  cancel(id: number, actor: Actor): Alert {
    return this.change(id, 'cancel', actor, 'cancelled', () => ({
      outcome: 'cancelled',
      closedAt: this.clock.now(),
      deadlineAt: null,
    }));
  }

  open(): Alert[] {
    return this.store.open();
  }

  private staff(staffId: string): void {
    if (!this.register.staff(staffId))
      throw new AlertError('unknown-staff', `unknown staff member "${staffId}"`);
  }

  private owner(id: number, staffId: string, what: string): void {
    this.staff(staffId);
    const alert = this.get(id);
    if (alert.ownerId !== null && alert.ownerId !== staffId) {
      throw new AlertError('not-owner', `only ${alert.ownerId}, who owns alert ${id}, can ${what} it`);
    }
  }

  private change(
    id: number,
    command: Command,
    actor: Actor,
    action: AlertAction,
    mutate: (a: Alert) => Partial<Omit<Alert, 'id'>>,
    detail: Record<string, unknown> = {},
  ): Alert {
    const applied = this.store.transaction(() =>
      this.applyChange(id, command, actor, action, mutate, detail),
    );
    return this.finish(applied);
  }

  /** The change inside the caller's transaction; announce it with finish() after the commit. */
  private applyChange(
    id: number,
    command: Command,
    actor: Actor,
    action: AlertAction,
    mutate: (a: Alert) => Partial<Omit<Alert, 'id'>>,
    detail: Record<string, unknown>,
  ): AlertChange {
    const now = this.clock.now();
    const current = this.get(id);
    const next = transition(current.state, command);
    if (!next.ok) throw new AlertError('illegal-transition', `alert ${id}: ${next.reason}`);
    this.store.update(id, { ...mutate(current), state: next.to, updatedAt: now });
    this.store.appendAudit({
      alertId: id,
      at: now,
      actor: actorName(actor),
      action,
      fromState: current.state,
      toState: next.to,
      detail,
    });
    return { alert: this.store.get(id)!, previousState: current.state, action, actor, detail };
  }

  /** An audit entry that changes no state (plus `write`, in the same commit), then announced. */
  private note(alert: Alert, action: AlertAction, actor: Actor, write: () => void = () => {}): void {
    this.store.transaction(() => {
      write();
      this.store.appendAudit({
        alertId: alert.id,
        at: this.clock.now(),
        actor: actorName(actor),
        action,
        fromState: alert.state,
        toState: alert.state,
        detail: {},
      });
    });
    this.bus.emit('alert:changed', { alert, previousState: alert.state, action, actor, detail: {} });
  }

  /** Counts and announces a committed change. */
  private finish(change: AlertChange): Alert {
    this.metrics.alertActions.inc({ action: change.action });
    if (change.alert.state === 'resolved' || change.alert.state === 'cancelled')
      this.metrics.openAlerts.dec();
    this.bus.emit('alert:changed', change);
    return change.alert;
  }
}
