import type { AlertKind, Outcome } from '@careedge/edge';

export type { Priority } from '@careedge/edge';

import type { Priority } from '@careedge/edge';
export type AlertState = 'raised' | 'dispatched' | 'acknowledged' | 'attended' | 'resolved' | 'cancelled';
export const OPEN_STATES: readonly AlertState[] = ['raised', 'dispatched', 'acknowledged', 'attended'];

export interface Alert {
  id: number;
  kind: AlertKind;
  priority: Priority;
  state: AlertState;
  deviceId: string;
  residentId: string | null;
  roomId: string | null;
  zoneId: string;
  raisedAt: number;
  updatedAt: number;
  /** How many times the resident raised it (a second SOS while open adds to this). */
  count: number;
  lastTriggerAt: number;
  ownerId: string | null;
  acknowledgedAt: number | null;
  attendedAt: number | null;
  closedAt: number | null;
  outcome: Outcome | 'cancelled' | null;
  note: string | null;
  /**
   * Dispatch step: 0 for the first dispatch, one more for each escalation. Which roster level a
   * step asks is decided when it is taken (see dispatch/plan.ts), so a shift change mid-way asks
   * the new shift from its first responder.
   */
  level: number;
  /**
   * When the pending timer fires: escalation while dispatched, a reminder while acknowledged
   * (to arrive) or attended (to resolve).
   */
  deadlineAt: number | null;
  /** Reminders sent since the owner accepted; past the limit the alert returns to dispatch. */
  reminders: number;
  /** Staff member a handover was offered to; the owner keeps the alert until they accept. */
  handoverTo: string | null;
  /**
   * Staff not to ask, comma-separated: for an emergency call, the carer already in the room.
   */
  excludeStaff: string | null;
  /** The rule that raised it (its id in the rules file), and the rules file's content hash then. */
  ruleId: string | null;
  rulesVersion: string | null;
  /** Why its first dispatch waits (`storm`: summarised to the supervisor until the storm is over). */
  heldBack: string | null;
}

/** Who did something: a device, a staff member, or the gateway itself. */
export type Actor = { kind: 'device'; id: string } | { kind: 'staff'; id: string } | { kind: 'system' };
export const actorName = (a: Actor) => (a.kind === 'system' ? 'system' : `${a.kind}:${a.id}`);

export interface AuditEntry {
  id: number;
  alertId: number;
  at: number;
  actor: string;
  action: string;
  fromState: AlertState | null;
  toState: AlertState | null;
  detail: Record<string, unknown>;
}
