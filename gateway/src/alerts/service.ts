import type { AlertKind, Outcome } from '@careedge/edge';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../core/metrics.js';
import type { SiteRegister } from '../register/register.js';
import { AlertError } from './errors.js';
import type { AlertChange, AlertEvents } from './events.js';
import { AlertLedger } from './ledger.js';
import { type AlertMetrics, alertMetrics } from './metrics.js';
import { type Actor, type Alert, type AlertState, actorName, OPEN_STATES, type Priority } from './model.js';
import { type DispatchHolding, type DispatchPlanning, NEVER_HOLD } from './planning.js';
import { RuleAlertChanges } from './rule-changes.js';
import { isOpen } from './state-machine.js';
import type { AlertStore } from './store.js';
import { StormAlertChanges } from './storm-changes.js';

export interface Trigger {
  kind: AlertKind;
  priority: Priority;
  deviceId: string;
  residentId: string | null;
  roomId: string | null;
  zoneId: string;
  /** Alert kinds that a new trigger of this kind joins instead of opening a second alert. */
  joins: AlertKind[];
  /**
   * A rule's alert: the one alert it repeats (its rule instance's own, while open), instead of
   * any open alert of `joins` kinds; null: a new alert. One open alert per (subject, rule), so
   * two rules raising the same kind for one resident (tachycardia, bradycardia) stay apart.
   */
  joinAlert?: number | null;
  detail?: Record<string, unknown>;
  /** States of an open alert this trigger may join (default: until somebody has arrived). */
  joinStates?: readonly AlertState[];
  /** Staff not to ask (the carer already in the room, for her emergency call). */
  excludeStaff?: string[];
  /** Probably a retransmission: joins the open alert without counting as a new press. */
  retransmission?: boolean;
  /** Runs inside the transaction that records this trigger (see FromDevice.settle). */
  settle?: () => void;
  /** When the press arrived at the gateway (default: now). */
  at?: number;
  /** The rule that raised it and the rules file's content hash (kept on the alert). */
  ruleId?: string;
  rulesVersion?: string;
}

/** The timers of an owned alert, in seconds. */
export interface OwnershipTimeouts {
  attendTimeoutS: number;
  resolveTimeoutS: number;
}

const WAITING_FOR_ARRIVAL: readonly AlertState[] = ['raised', 'dispatched', 'acknowledged'];

const rank: Record<Priority, number> = { high: 3, medium: 2, low: 1 };
/** Alert_targets level for recipients outside the dispatch steps: reminders, handover offers. */
const SIDE_TARGET = -1;
const staffActor = (id: string): Actor => ({ kind: 'staff', id });

/**
 * The alert lifecycle with its rules: who may do what, in which state. Every change is one SQLite
 * transaction (alert row + audit row); the change is announced on the bus only after the commit,
 * so nobody is ever told about an alert that a power cut could lose.
 */
export class AlertService {
  private readonly ledger: AlertLedger;
  private readonly metrics: AlertMetrics;
  /** What the anomaly rules do to their own alerts besides raising them. */
  readonly ruleChanges: RuleAlertChanges;
  /** What an alert storm does to its summary and to the alerts it holds back. */
  readonly stormChanges: StormAlertChanges;

  constructor(
    private readonly store: AlertStore,
    private readonly register: SiteRegister,
    private readonly bus: EventBus<AlertEvents>,
    private readonly clock: Clock,
    metrics: Metrics,
    private readonly planner: DispatchPlanning,
    private readonly timeouts: OwnershipTimeouts,
    private readonly holding: DispatchHolding = NEVER_HOLD,
  ) {
    this.metrics = alertMetrics(metrics.registry);
    this.metrics.openAlerts.set(this.store.open().length);
    this.ledger = new AlertLedger(store, bus, clock, this.metrics);
    this.ruleChanges = new RuleAlertChanges(this.ledger, planner, clock);
    this.stormChanges = new StormAlertChanges(this.ledger, planner, clock);
  }

  get(id: number): Alert {
    return this.ledger.get(id);
  }

  /** A new alert, or — when the resident's (or room's) same alert is still open — a repeat of it. */
  raise(t: Trigger): { alert: Alert; created: boolean } {
    const now = this.clock.now();
    // A likely retransmission joins only what a new press would join: a repeated (seq, ts) may be
    // a device whose clock reset, so it never reaches into an alert a carer is already at.
    const joinStates = t.joinStates ?? WAITING_FOR_ARRIVAL;
    const existing =
      t.joinAlert === undefined
        ? this.store.findOpen(t.joins, t.residentId, t.roomId, joinStates)
        : this.joinable(t.joinAlert, joinStates);
    if (existing && t.retransmission) {
      this.ledger.note(existing, 'retransmitted', { kind: 'device', id: t.deviceId }, () => t.settle?.());
      return { alert: existing, created: false };
    }
    if (existing) {
      const upgrade =
        rank[t.priority] > rank[existing.priority] ||
        (t.kind === 'emergency-call' && existing.kind !== 'emergency-call');
      const priority = rank[t.priority] > rank[existing.priority] ? t.priority : existing.priority;
      const alert = this.ledger.change(
        existing.id,
        'repeat',
        { kind: 'device', id: t.deviceId },
        'repeated',
        (a) => {
          t.settle?.();
          return {
            count: a.count + 1,
            lastTriggerAt: now,
            ...(upgrade ? { priority, kind: t.kind } : {}),
            // Waiting for acceptance at a higher priority: its (shorter) timeout applies from now.
            ...(upgrade && a.deadlineAt !== null && a.state === 'dispatched'
              ? { deadlineAt: Math.min(a.deadlineAt, this.planner.ackDeadline(priority, now)) }
              : {}),
          };
        },
        { trigger: t.kind, ...(upgrade ? { upgradedTo: priority } : {}), ...t.detail },
      );
      return { alert, created: false };
    }
    // One commit for the new alert and its first dispatch: durable before anyone is told, and
    // one fsync instead of two on the alarm path (an SD card's fsync can take tens of ms).
    // A held-back alert (an alert storm) is recorded and announced, and dispatched later.
    const [raised, dispatched] = this.store.transaction(() => {
      t.settle?.();
      const heldBack = this.holding.holdBack(t, now);
      // Raised when it arrived, not when it could be written (storage may have been down).
      const id = this.store.insert({ ...t, heldBack }, Math.min(t.at ?? now, now));
      const detail = {
        kind: t.kind,
        priority: t.priority,
        ...(heldBack ? { heldBack } : {}),
        ...(t.excludeStaff?.length ? { notAsked: t.excludeStaff } : {}),
        // Nothing open to join: raised, but marked, since it repeats an earlier (seq, ts).
        ...(t.retransmission ? { possibleRetransmission: true } : {}),
        ...t.detail,
      };
      const auditId = this.store.appendAudit({
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
        auditId,
      };
      return [raisedChange, heldBack ? null : this.applyDispatch(id, 'new')] as const;
    });
    this.metrics.alertsRaised.inc({ kind: t.kind, priority: t.priority });
    this.metrics.openAlerts.inc();
    this.bus.emit('alert:changed', raised);
    return { alert: dispatched ? this.ledger.finish(dispatched) : raised.alert, created: true };
  }

  /**
   * Sends the alert to the next people the planner names: 'new' for an alert that was never
   * dispatched (left in `raised` by a crash), 'escalation' for the next step. Commits, then
   * announces.
   */
  dispatch(id: number, reason: 'new' | 'escalation', detail: Record<string, unknown> = {}): Alert {
    return this.ledger.finish(this.store.transaction(() => this.applyDispatch(id, reason, [], detail)));
  }

  /**
   * `cannotGo`: staff the alert was just taken from, not to be asked on their own next. The first
   * dispatch of a held-back alert ends its hold.
   */
  private applyDispatch(
    id: number,
    reason: 'new' | 'escalation',
    cannotGo: string[] = [],
    detail: Record<string, unknown> = {},
  ): AlertChange {
    const now = this.clock.now();
    const current = this.get(id);
    const plan = this.planner.plan(current, reason === 'new' ? null : current.level, now, [
      ...this.askedLevels(id),
      ...cannotGo.map((s) => [s]),
    ]);
    return this.ledger.apply(
      id,
      reason === 'new' ? 'dispatch' : 'escalate',
      { kind: 'system' },
      reason === 'new' ? 'dispatched' : 'escalated',
      () => {
        for (const s of plan.staffIds) this.store.addTarget(id, plan.level, s, now);
        return { level: plan.level, deadlineAt: plan.deadlineAt, heldBack: null };
      },
      { level: plan.level, to: plan.staffIds, ...detail },
    );
  }

  /** Who was asked at each dispatch step so far (reminders and handover offers are not steps). */
  private askedLevels(id: number): string[][] {
    const steps = new Map<number, string[]>();
    for (const t of this.store.targets(id)) {
      if (t.level >= 0) steps.set(t.level, [...(steps.get(t.level) ?? []), t.staffId]);
    }
    return [...steps.values()];
  }

  /** Nobody arrived (or resolved) in time: the alert was sent again to its owner and supervisors. */
  reminded(id: number, staffIds: string[], deadlineAt: number, detail: Record<string, unknown> = {}): Alert {
    return this.ledger.change(
      id,
      'remind',
      { kind: 'system' },
      'reminded',
      (a) => {
        // Recorded as recipients, so they too see the alert withdrawn when it ends.
        for (const s of staffIds) this.store.addTarget(id, SIDE_TARGET, s, this.clock.now());
        return { deadlineAt, reminders: a.reminders + 1 };
      },
      { to: staffIds, ...detail },
    );
  }

  /**
   * The owner did not arrive, even after the reminders (a dead handset, an emergency elsewhere):
   * the alert is taken back from her and escalates, in one commit.
   */
  reclaim(id: number): Alert {
    return this.giveBack(id, { kind: 'system' });
  }

  /**
   * Takes the alert from its owner and escalates it, in one commit: the owner did not arrive
   * (`system`), or said she cannot go (the owner herself).
   */
  private giveBack(id: number, actor: Actor, reason?: string): Alert {
    const [returned, escalated] = this.store.transaction(() => {
      const { ownerId: from, handoverTo } = this.get(id);
      const r = this.ledger.apply(
        id,
        'return',
        actor,
        'returned',
        () => {
          if (actor.kind === 'staff') this.store.markDeclined(id, actor.id, this.clock.now());
          return { ownerId: null, acknowledgedAt: null, handoverTo: null, reminders: 0, deadlineAt: null };
        },
        { from, ...(handoverTo ? { offeredTo: handoverTo } : {}), ...(reason ? { reason } : {}) },
      );
      // Whether she said so or did not come, she is not the next step on her own (a reassigned
      // owner was never asked at a step, so the roster's next level could be just her).
      return [r, this.applyDispatch(id, 'escalation', from ? [from] : [])] as const;
    });
    this.ledger.finish(returned);
    return this.ledger.finish(escalated);
  }

  received(id: number, staffId: string): void {
    this.staff(staffId);
    const alert = this.get(id);
    // Only for an open alert that was sent to this person: the audit trail cannot be deleted, so
    // it must not take rows anyone can invent.
    if (!isOpen(alert.state) || !this.store.targets(id).some((t) => t.staffId === staffId)) {
      throw new AlertError('not-dispatched-to-you', `alert ${id} was not sent to ${staffId}, or is closed`);
    }
    this.ledger.note(alert, 'received', staffActor(staffId), () =>
      this.store.markReceived(id, staffId, this.clock.now()),
    );
  }

  /**
   * The first to accept owns the alert. Anyone on shift may accept (the carer nearest the room
   * need not be the one asked), and anyone it was sent to; accepting again is not an error.
   */
  acknowledge(id: number, staffId: string): Alert {
    this.staff(staffId);
    const alert = this.get(id);
    if (alert.ownerId === staffId && (alert.state === 'acknowledged' || alert.state === 'attended'))
      return alert;
    if (alert.handoverTo === staffId) return this.takeOver(alert, staffId);
    const onShift = this.register.staffOnShift(this.clock.now()).some((s) => s.id === staffId);
    if (!onShift && !this.store.targets(id).some((t) => t.staffId === staffId)) {
      throw new AlertError(
        'not-on-shift',
        `${staffId} is not on shift and was not asked to take alert ${id}`,
      );
    }
    return this.ledger.change(id, 'acknowledge', staffActor(staffId), 'acknowledged', () => ({
      ownerId: staffId,
      acknowledgedAt: this.clock.now(),
      deadlineAt: this.clock.now() + this.timeouts.attendTimeoutS * 1000,
      reminders: 0,
    }));
  }

  /** The one a handover was offered to accepts it: from now on the alert is theirs. */
  private takeOver(alert: Alert, staffId: string): Alert {
    const now = this.clock.now();
    return this.ledger.change(
      alert.id,
      'take-over',
      staffActor(staffId),
      'handed-over',
      (a) => ({
        ownerId: staffId,
        handoverTo: null,
        reminders: 0,
        // A new owner gets the full time to arrive (or, once arrived, to resolve).
        deadlineAt:
          now +
          (a.state === 'attended' ? this.timeouts.resolveTimeoutS : this.timeouts.attendTimeoutS) * 1000,
      }),
      { from: alert.ownerId, to: staffId },
    );
  }

  /** Records a decline (or a declined handover offer); moving the alert on is the dispatcher's (afterDecline). */
  decline(id: number, staffId: string, reason?: string): Alert {
    this.staff(staffId);
    const offered = this.get(id);
    // The owner on her way cannot go after all (given it by a reassignment she was never asked
    // about, or called to something worse): it is not hers to keep waiting on. Once she has
    // arrived, she hands it over instead.
    if (offered.ownerId === staffId && offered.state === 'acknowledged')
      return this.giveBack(id, staffActor(staffId), reason);
    if (offered.handoverTo === staffId) {
      return this.ledger.change(
        id,
        'handover',
        staffActor(staffId),
        'handover-declined',
        () => ({ handoverTo: null }),
        { owner: offered.ownerId, ...(reason ? { reason } : {}) },
      );
    }
    return this.ledger.change(
      id,
      'decline',
      staffActor(staffId),
      'declined',
      () => {
        if (this.store.markDeclined(id, staffId, this.clock.now()) === 0) {
          throw new AlertError(
            'not-dispatched-to-you',
            `alert ${id} is not waiting for ${staffId} to accept it`,
          );
        }
        return {};
      },
      reason ? { reason } : {},
    );
  }

  /** The owner is with the resident; `via` the room's presence key when it was set, not the handset. */
  attend(id: number, staffId: string, via?: Actor): Alert {
    this.owner(id, staffId, 'mark arrival for');
    const alert = this.get(id);
    if (alert.state === 'attended') return alert; // arrived twice (a lost result, a retry): fine
    return this.ledger.change(
      id,
      'attend',
      via ?? staffActor(staffId),
      'attended',
      () => ({
        attendedAt: this.clock.now(),
        reminders: 0,
        // Attended is not the end: every alert is closed with an outcome, so this waits too.
        deadlineAt: this.clock.now() + this.timeouts.resolveTimeoutS * 1000,
      }),
      via ? { owner: staffId } : {},
    );
  }

  resolve(id: number, staffId: string, outcome: Outcome, note?: string): Alert {
    this.owner(id, staffId, 'resolve');
    return this.ledger.change(
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

  /**
   * The owner offers the alert to a colleague on shift; a supervisor on shift may do so for an
   * owner who is unreachable. It changes hands only when the colleague accepts (acknowledge):
   * until then the owner keeps it, so an offer to a dead handset strands nothing.
   */
  handover(id: number, staffId: string, to: string, note?: string): Alert {
    this.staff(staffId);
    const alert = this.get(id);
    const now = this.clock.now();
    const supervisor = this.register.supervisorsOnShift(now).some((s) => s.id === staffId);
    if (!supervisor) this.owner(id, staffId, 'hand over');
    if (to === alert.ownerId)
      throw new AlertError('invalid-handover', `alert ${id} is already owned by ${to}`);
    this.colleagueOnShift(id, to, 'hand over');
    return this.ledger.change(
      id,
      'handover',
      staffActor(staffId),
      'handover-offered',
      () => {
        this.store.addTarget(id, SIDE_TARGET, to, now);
        return { handoverTo: to };
      },
      {
        from: alert.ownerId,
        to,
        ...(alert.handoverTo ? { replaces: alert.handoverTo } : {}),
        ...(note ? { note } : {}),
      },
    );
  }

  /**
   * A supervisor on shift gives an open alert to a colleague on shift, at once: for an owner who
   * cannot be reached (a handover would wait for an answer that never comes), or an alert nobody
   * took. The new owner gets the full time to arrive (or, once arrived, to resolve).
   */
  reassign(id: number, supervisorId: string, to: string, note?: string): Alert {
    this.staff(supervisorId);
    const now = this.clock.now();
    if (!this.register.supervisorsOnShift(now).some((s) => s.id === supervisorId)) {
      throw new AlertError('not-supervisor', `only a supervisor on shift can reassign alert ${id}`);
    }
    const alert = this.get(id);
    if (!isOpen(alert.state))
      throw new AlertError(
        'illegal-transition',
        `alert ${id} is ${alert.state}: only an open alert can be reassigned`,
      );
    if (to === alert.ownerId)
      throw new AlertError('invalid-handover', `alert ${id} is already owned by ${to}`);
    this.colleagueOnShift(id, to, 'reassign');
    // A reassignment takes the alert from everyone else at once: to a dead handset, nobody knows.
    if (this.planner.isOffline(to)) {
      throw new AlertError(
        'colleague-offline',
        `cannot reassign alert ${id} to ${to}: their handset is offline; choose someone reachable`,
      );
    }
    // Nobody owns it yet: the supervisor accepts it on the new owner's behalf.
    const owned = alert.state === 'acknowledged' || alert.state === 'attended';
    return this.ledger.change(
      id,
      owned ? 'reassign' : 'acknowledge',
      staffActor(supervisorId),
      'reassigned',
      (a) => {
        this.store.addTarget(id, SIDE_TARGET, to, now);
        return {
          ownerId: to,
          handoverTo: null,
          reminders: 0,
          ...(owned ? {} : { acknowledgedAt: now }),
          deadlineAt:
            now +
            (a.state === 'attended' ? this.timeouts.resolveTimeoutS : this.timeouts.attendTimeoutS) * 1000,
        };
      },
      {
        from: alert.ownerId,
        to,
        ...(alert.handoverTo ? { offeredTo: alert.handoverTo } : {}),
        ...(note ? { note } : {}),
      },
    );
  }

  /**
   * A note in the alert's audit trail, also after it closed. Only by someone involved (its owner,
   * anyone it was sent to) or a supervisor on shift: the trail cannot be edited, so it must not
   * take rows from anyone at all.
   */
  note(id: number, staffId: string, text: string): void {
    this.staff(staffId);
    const alert = this.get(id);
    const involved =
      alert.ownerId === staffId ||
      this.store.targets(id).some((t) => t.staffId === staffId) ||
      this.register.supervisorsOnShift(this.clock.now()).some((s) => s.id === staffId);
    if (!involved) {
      throw new AlertError(
        'not-involved',
        `${staffId} was not involved in alert ${id} and is not a supervisor on shift`,
      );
    }
    this.ledger.note(alert, 'noted', staffActor(staffId), undefined, { text });
  }

  /** A reset at the device that may not close this alert (it is taken, or an emergency): noted. */
  cancelRequested(id: number, actor: Actor): void {
    this.ledger.note(this.get(id), 'cancel-requested', actor);
  }

  cancel(id: number, actor: Actor): Alert {
    return this.ledger.change(id, 'cancel', actor, 'cancelled', () => ({
      outcome: 'cancelled',
      closedAt: this.clock.now(),
      deadlineAt: null,
    }));
  }

  /** The resident's open alert of a kind, whoever raised it (a rule following up a fall). */
  openOf(kind: AlertKind, residentId: string): Alert | undefined {
    return this.store.findOpen([kind], residentId, null, OPEN_STATES);
  }

  private joinable(id: number | null, states: readonly AlertState[]): Alert | undefined {
    if (id === null) return undefined;
    const a = this.store.get(id);
    return a && states.includes(a.state) ? a : undefined;
  }

  open(): Alert[] {
    return this.store.open();
  }

  /** Runs staff commands marked with the way they came (`console`) in their audit rows. */
  via<T>(way: string | undefined, fn: () => T): T {
    return this.ledger.via(way, fn);
  }

  private staff(staffId: string): void {
    if (!this.register.staff(staffId))
      throw new AlertError('unknown-staff', `unknown staff member "${staffId}"`);
  }

  /** The colleague an alert goes to must be registered and on shift. */
  private colleagueOnShift(id: number, to: string, what: string): void {
    if (!this.register.staff(to)) {
      throw new AlertError('unknown-staff', `cannot ${what} to unknown staff member "${to}"`);
    }
    if (!this.register.staffOnShift(this.clock.now()).some((s) => s.id === to)) {
      throw new AlertError('not-on-shift', `cannot ${what} alert ${id} to ${to}, who is not on shift`);
    }
  }

  private owner(id: number, staffId: string, what: string): void {
    this.staff(staffId);
    const alert = this.get(id);
    if (alert.ownerId !== null && alert.ownerId !== staffId) {
      throw new AlertError('not-owner', `only ${alert.ownerId}, who owns alert ${id}, can ${what} it`);
    }
  }
}
