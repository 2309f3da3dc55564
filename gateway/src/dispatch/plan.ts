import type { Alert, Priority } from '../alerts/model.js';
import type { SiteRegister } from '../register/register.js';

/**
 * Who is asked, level by level, from the roster at this moment: each responder of the zone in
 * rank order, then the shift supervisor(s), then everyone on shift (everyone registered, when
 * the roster leaves nobody on shift). Empty levels, and levels
 * that would ask exactly the same people again, are skipped.
 */
export function escalationLevels(register: SiteRegister, zoneId: string, at: number): string[][] {
  const levels: string[][] = [
    ...register.respondersFor(zoneId, at).map((s) => [s.id]),
    register.supervisorsOnShift(at).map((s) => s.id),
    register.staffOnShift(at).map((s) => s.id),
  ];
  // Nobody on shift at all (a roster gap): every registered staff member rather than no one.
  if (levels.every((l) => l.length === 0)) levels.push(register.allStaff().map((s) => s.id));
  const out: string[][] = [];
  for (const level of levels) {
    const key = [...level].sort().join(',');
    if (level.length > 0 && !out.some((l) => [...l].sort().join(',') === key)) out.push(level);
  }
  return out;
}

export interface DispatchPlan {
  level: number;
  staffIds: string[];
  /** When to escalate if nobody has accepted. */
  deadlineAt: number;
}

/** Decides who is asked next, and until when, from the roster and the priority's timeout. */
export class DispatchPlanner {
  constructor(
    private readonly register: SiteRegister,
    private readonly ackTimeoutS: Record<Priority, number>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The first level (`currentLevel` null) or the next one; past the last level, everyone again. */
  plan(alert: Pick<Alert, 'zoneId' | 'priority'>, currentLevel: number | null, now: number): DispatchPlan {
    // Never throws: it runs inside the transaction that records a new alert, which must commit.
    // With nobody to ask, the dispatcher logs it and the deadline tries again.
    let levels: string[][] = [];
    try {
      levels = escalationLevels(this.register, alert.zoneId, now);
    } catch (err) {
      this.onError(err);
    }
    const level = currentLevel === null ? 0 : Math.min(currentLevel + 1, Math.max(levels.length - 1, 0));
    return {
      level,
      staffIds: levels[level] ?? [],
      deadlineAt: this.ackDeadline(alert.priority, now),
    };
  }

  /** When an alert of this priority dispatched now escalates if nobody accepts. */
  ackDeadline(priority: Priority, now: number): number {
    return now + this.ackTimeoutS[priority] * 1000;
  }
}
