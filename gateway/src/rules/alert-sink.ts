import type { AlertKind } from '@careedge/edge';
import { type Actor, OPEN_STATES, type Priority } from '../alerts/model.js';
import type { AlertService } from '../alerts/service.js';
import { isOpen } from '../alerts/state-machine.js';
import type { StepContext } from './kind.js';
import type { SubjectInfo } from './scope.js';

export interface RuleRaise {
  subject: SubjectInfo;
  alertKind: AlertKind;
  priority: Priority;
  reason: string;
  detail: Record<string, unknown>;
  ruleId: string;
  rulesVersion: string;
  /** When the input that raised it arrived (or the deadline that did). */
  at: number;
  /**
   * The rule instance's open alert, which this raise repeats; null: a new alert. Absent (the
   * engine's own unclassified alerts): joins the subject's open alert of the same kind.
   */
  repeatOf?: number | null;
  /** Runs inside the alert's commit: the instance's state is durable with its alert. */
  settle: () => void;
}

export type RuleOpenAlert = NonNullable<StepContext['openAlert']>;
export interface RuleNote {
  ruleId: string;
  reason: string;
}

/**
 * Where the engine's actions go. Live: the alert service (alerts with dispatch, escalation and an
 * audit trail). Replay: a recording sink, with no gateway around it.
 */
export interface AlertSink {
  /** A new alert or, while `repeatOf` is open, a repeat of it. Returns its id. */
  raise(r: RuleRaise): number;
  /** The alert if it is still open (staff may have closed it behind the rule's back). */
  openAlert(id: number): RuleOpenAlert | null;
  /** The resident's open alert of a kind, whoever raised it (a kind that `follows` it). */
  openAlertOf(residentId: string, alertKind: AlertKind): RuleOpenAlert | null;
  setPriority(id: number, priority: Priority, note: RuleNote): void;
  /** Closed, or kept open (latched / taken) with the clearing noted. */
  clear(
    id: number,
    by: 'device' | 'rule',
    deviceId: string,
    note: RuleNote,
  ): 'closed' | 'latched' | 'already-closed';
}

/** The live sink: AlertService. One open alert per (subject, rule): a repeat joins the instance's own. */
export class AlertServiceSink implements AlertSink {
  constructor(private readonly alerts: AlertService) {}

  raise(r: RuleRaise): number {
    const { subject } = r;
    return this.alerts.raise({
      kind: r.alertKind,
      priority: r.priority,
      deviceId: subject.deviceId,
      residentId: subject.residentId,
      roomId: subject.roomId,
      // No zone: no zone responders, so the shift supervisor is asked (as for calls).
      zoneId: subject.zoneId ?? 'unassigned',
      joins: [r.alertKind],
      ...(r.repeatOf === undefined
        ? {}
        : // Any open state: a rule's condition going on while a carer is there is the same alert.
          { joinAlert: r.repeatOf, joinStates: OPEN_STATES }),
      detail: { rule: r.ruleId, reason: r.reason, ...r.detail },
      at: r.at,
      settle: r.settle,
      ruleId: r.ruleId,
      rulesVersion: r.rulesVersion,
    }).alert.id;
  }

  openAlert(id: number): RuleOpenAlert | null {
    try {
      const a = this.alerts.get(id);
      return isOpen(a.state) ? { id: a.id, priority: a.priority, raisedAt: a.raisedAt } : null;
    } catch {
      return null; // archived, or gone with a restored database
    }
  }

  openAlertOf(residentId: string, alertKind: AlertKind): RuleOpenAlert | null {
    const a = this.alerts.openOf(alertKind, residentId);
    return a ? { id: a.id, priority: a.priority, raisedAt: a.raisedAt } : null;
  }

  setPriority(id: number, priority: Priority, note: RuleNote): void {
    this.alerts.ruleChanges.setPriority(
      id,
      priority,
      { kind: 'system' },
      { rule: note.ruleId, reason: note.reason },
    );
  }

  clear(id: number, by: 'device' | 'rule', deviceId: string, note: RuleNote) {
    const actor: Actor = by === 'device' ? { kind: 'device', id: deviceId } : { kind: 'system' };
    return this.alerts.ruleChanges.conditionCleared(id, actor, { rule: note.ruleId, reason: note.reason });
  }
}
