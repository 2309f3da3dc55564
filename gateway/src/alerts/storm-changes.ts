import type { Clock } from '../core/clock.js';
import type { AlertLedger } from './ledger.js';
import type { Alert, Priority } from './model.js';
import type { DispatchPlanning } from './planning.js';

const rank: Record<Priority, number> = { high: 3, medium: 2, low: 1 };
const SYSTEM = { kind: 'system' } as const;

/** How an alert held back in a storm appears in its summary's trail (and on the console). */
export function summaryLine(a: Alert) {
  return {
    id: a.id,
    kind: a.kind,
    priority: a.priority,
    resident: a.residentId,
    room: a.roomId,
    zone: a.zoneId,
    ...(a.ruleId ? { rule: a.ruleId } : {}),
  };
}

/**
 * What an alert storm (dispatch/storm.ts) does to alerts besides raising the summary: the summary
 * takes more held-back alerts (a repeat, not a new alert), and each held-back alert's trail says
 * where it went. One audited commit each through the ledger, announced after it.
 */
export class StormAlertChanges {
  constructor(
    private readonly ledger: AlertLedger,
    private readonly planner: DispatchPlanning,
    private readonly clock: Clock,
  ) {}

  /** More held-back alerts for the summary: listed in the repeat, its priority up to theirs. */
  summarise(summaryId: number, held: Alert[], total: number): Alert {
    const now = this.clock.now();
    const top = held.reduce<Priority>((p, a) => (rank[a.priority] > rank[p] ? a.priority : p), 'low');
    return this.ledger.change(
      summaryId,
      'repeat',
      SYSTEM,
      'repeated',
      (s) => {
        const up = rank[top] > rank[s.priority];
        return {
          count: s.count + 1,
          lastTriggerAt: now,
          ...(up ? { priority: top } : {}),
          ...(up && s.deadlineAt !== null && s.state === 'dispatched'
            ? { deadlineAt: Math.min(s.deadlineAt, this.planner.ackDeadline(top, now)) }
            : {}),
        };
      },
      { trigger: 'alert-summary', total, alerts: held.map(summaryLine) },
    );
  }

  /** A held-back alert's trail: why it is not on a handset yet, and which summary lists it. */
  heldIn(alert: Alert, summaryId: number): void {
    this.ledger.note(alert, 'noted', SYSTEM, undefined, {
      text: `held back: storm, summarised in #${summaryId}`,
      summaryId,
    });
  }

  /** A note by the gateway itself (the storm is over, and what became of the alerts it held). */
  note(alert: Alert, text: string, detail: Record<string, unknown> = {}): void {
    this.ledger.note(alert, 'noted', SYSTEM, undefined, { text, ...detail });
  }
}
