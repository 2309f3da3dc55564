import type { Alert, Priority } from './model.js';

export interface DispatchPlan {
  /** The dispatch step (Alert.level): 0 first, then one more per escalation. */
  level: number;
  staffIds: string[];
  /** When to escalate if nobody has accepted. */
  deadlineAt: number;
}

/** What the planner needs to know about an alert. */
export type PlannedAlert = Pick<Alert, 'zoneId' | 'priority'> & Partial<Pick<Alert, 'excludeStaff' | 'kind'>>;

/**
 * Who is asked at a dispatch step, and until when. The alert service asks inside the transaction
 * that records the step, so the step and its recipients commit together; dispatch/ decides (its
 * DispatchPlanner implements this) and the composition root hands it over.
 */
export interface DispatchPlanning {
  /** Never throws: it runs inside the transaction that records a new alert, which must commit. */
  plan(alert: PlannedAlert, step: number | null, now: number, asked?: readonly string[][]): DispatchPlan;
  /** When an alert of this priority dispatched now escalates if nobody accepts. */
  ackDeadline(priority: Priority, now: number): number;
  /** Whether the staff member's handset said it is offline (so a message to it reaches nobody). */
  isOffline(staffId: string): boolean;
}

/**
 * Whether a new alert's first dispatch waits. dispatch/ decides (an alert storm: its StormWatch
 * implements this) and the composition root hands it over; by default nothing waits.
 */
export interface DispatchHolding {
  /**
   * Asked once for every new alert, inside the commit that records it (so it also counts the
   * raise). Returns why the dispatch waits (kept on the alert as `heldBack`), or null. Never throws.
   */
  holdBack(alert: Pick<Alert, 'kind' | 'priority'>, now: number): string | null;
}

export const NEVER_HOLD: DispatchHolding = { holdBack: () => null };
