import type { Priority } from '../alerts/model.js';
import type { DispatchPlan, DispatchPlanning, PlannedAlert } from '../alerts/planning.js';
import type { SiteRegister } from '../register/register.js';

const keyOf = (level: readonly string[]) => [...level].sort().join(',');

/**
 * Who is asked, level by level, from the roster at this moment: each responder of the zone in
 * rank order, then the shift supervisor(s), then everyone on shift, and last every registered
 * staff member (a roster gap, or a shift that nobody answers, still reaches a person). Empty
 * levels, and levels that would ask exactly the same people again, are skipped.
 */
export function escalationLevels(register: SiteRegister, zoneId: string, at: number): string[][] {
  const levels: string[][] = [
    ...register.respondersFor(zoneId, at).map((s) => [s.id]),
    register.supervisorsOnShift(at).map((s) => s.id),
    register.staffOnShift(at).map((s) => s.id),
    register.allStaff().map((s) => s.id),
  ];
  const out: string[][] = [];
  for (const level of levels) {
    const key = keyOf(level);
    if (level.length > 0 && !out.some((l) => keyOf(l) === key)) out.push(level);
  }
  return out;
}

/** Staff members whose handsets said they are offline (their MQTT last will, or a clean logout). */
export interface Reachability {
  isOffline(staffId: string): boolean;
}

/**
 * Decides who is asked next, and until when, from the roster *now* and the priority's timeout.
 *
 * The next step asks the first roster level (in order) that has not been asked as a whole yet.
 * So an escalation across a shift change starts at the new shift's first responder instead of
 * continuing at the old shift's level number, and after every level was asked it keeps asking
 * everyone. A level whose handsets are all offline is skipped rather than waited for.
 */
export class DispatchPlanner implements DispatchPlanning {
  constructor(
    private readonly register: SiteRegister,
    private readonly ackTimeoutS: Record<Priority, number>,
    private readonly onError: (err: unknown) => void,
    private readonly reach: Reachability = { isOffline: () => false },
  ) {}

  /**
   * The first dispatch (`step` null) or the next one. `asked` holds the staff asked at each
   * earlier step.
   */
  plan(alert: PlannedAlert, step: number | null, now: number, asked: readonly string[][] = []): DispatchPlan {
    // Never throws: it runs inside the transaction that records a new alert, which must commit.
    // With nobody to ask, the dispatcher logs it and the deadline tries again.
    let levels: string[][] = [];
    try {
      levels = this.levels(alert, now);
    } catch (err) {
      this.onError(err);
    }
    const done = new Set(asked.map(keyOf));
    const reachable = (l: string[]) => l.some((s) => !this.reach.isOffline(s));
    // Past the last level, or with every remaining level offline: everyone registered, again.
    const next = levels.find((l) => !done.has(keyOf(l)) && reachable(l)) ?? levels.at(-1) ?? [];
    return {
      level: step === null ? 0 : step + 1,
      staffIds: next,
      deadlineAt: this.ackDeadline(alert.priority, now),
    };
  }

  /** The roster's levels without the staff this alert must not go to (unless nobody else is left). */
  private levels(alert: PlannedAlert, now: number): string[][] {
    const all = escalationLevels(this.register, alert.zoneId, now);
    // A supervisor's task (a feedback follow-up) skips the zone's responders: it is no call.
    const levels = alert.kind === 'feedback-follow-up' ? this.fromSupervisors(all, now) : all;
    const exclude = new Set(alert.excludeStaff?.split(',') ?? []);
    if (exclude.size === 0) return levels;
    const kept = levels.map((l) => l.filter((s) => !exclude.has(s))).filter((l) => l.length > 0);
    const out: string[][] = [];
    for (const l of kept) if (!out.some((o) => keyOf(o) === keyOf(l))) out.push(l);
    return out.length > 0 ? out : levels;
  }

  /** The levels from the supervisors on shift on (all levels when there is none on shift). */
  private fromSupervisors(levels: string[][], now: number): string[][] {
    const supervisors = keyOf(this.register.supervisorsOnShift(now).map((s) => s.id));
    const at = levels.findIndex((l) => keyOf(l) === supervisors);
    return at < 0 ? levels : levels.slice(at);
  }

  /** When an alert of this priority dispatched now escalates if nobody accepts. */
  ackDeadline(priority: Priority, now: number): number {
    return now + this.ackTimeoutS[priority] * 1000;
  }

  isOffline(staffId: string): boolean {
    return this.reach.isOffline(staffId);
  }
}
