import type { Clock } from '../core/clock.js';
import type { AlertLedger } from './ledger.js';
import type { Actor, Alert, Priority } from './model.js';
import type { DispatchPlanning } from './planning.js';
import { isOpen } from './state-machine.js';

const rank: Record<Priority, number> = { high: 3, medium: 2, low: 1 };

/** How a rule's `clear` ended: the alert closed itself, or stays open with a note. */
export type ClearOutcome = 'closed' | 'latched' | 'already-closed';

/**
 * What a rule does to the alert it raised besides raising it again (alerts/service.ts): change
 * its priority, and say its condition is over. Each is one audited commit through the ledger,
 * announced after it; the rule's id and reason go into the audit detail.
 */
export class RuleAlertChanges {
  constructor(
    private readonly ledger: AlertLedger,
    private readonly planner: DispatchPlanning,
    private readonly clock: Clock,
  ) {}

  /**
   * Up or down, recorded. Raised while it waits for acceptance, the shorter timeout of the new
   * priority applies from now; lowered, the running deadline stays (never later than promised).
   */
  setPriority(id: number, priority: Priority, actor: Actor, detail: Record<string, unknown>): Alert {
    const now = this.clock.now();
    const current = this.ledger.get(id);
    if (!isOpen(current.state) || current.priority === priority) return current;
    const up = rank[priority] > rank[current.priority];
    return this.ledger.change(
      id,
      'repeat',
      actor,
      'reprioritised',
      (a) => ({
        priority,
        ...(up && a.deadlineAt !== null && a.state === 'dispatched'
          ? { deadlineAt: Math.min(a.deadlineAt, this.planner.ackDeadline(priority, now)) }
          : {}),
      }),
      { from: current.priority, to: priority, ...detail },
    );
  }

  /**
   * The condition is over. A low-priority alert nobody has accepted closes itself (cancelled,
   * recorded as cleared by the rule or by the device). Anything else stays latched until a carer
   * deals with it (IEC 60601-1-8: a high-priority alarm latches), and its trail notes the clearing.
   */
  conditionCleared(id: number, actor: Actor, detail: Record<string, unknown>): ClearOutcome {
    const alert = this.ledger.get(id);
    if (!isOpen(alert.state)) return 'already-closed';
    const untaken = alert.state === 'raised' || alert.state === 'dispatched';
    if (alert.priority === 'low' && untaken) {
      this.ledger.change(
        id,
        'cancel',
        actor,
        'cancelled',
        () => ({ outcome: 'cancelled', closedAt: this.clock.now(), deadlineAt: null }),
        { clearedBy: actor.kind === 'device' ? 'device' : 'rule', ...detail },
      );
      return 'closed';
    }
    this.ledger.note(alert, 'condition-cleared', actor, undefined, detail);
    return 'latched';
  }
}
