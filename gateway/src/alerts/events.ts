import type { Actor, Alert, AlertState } from './model.js';

export type AlertAction =
  | 'raised'
  | 'repeated'
  | 'dispatched'
  | 'escalated'
  | 'received'
  | 'declined'
  | 'acknowledged'
  | 'reminded'
  | 'attended'
  | 'resolved'
  | 'cancelled'
  | 'cancel-requested'
  | 'handover-offered'
  | 'handover-declined'
  | 'handed-over'
  | 'returned'
  | 'retransmitted'
  | 'reassigned'
  | 'noted'
  /** A rule changed its priority (a fall followed by no motion: up). */
  | 'reprioritised'
  /** A rule's condition is over, but the alert stays open (latched, or taken by a carer). */
  | 'condition-cleared';

/** Published after the change is committed to SQLite, never before. */
export interface AlertChange {
  alert: Alert;
  previousState: AlertState | null;
  action: AlertAction;
  actor: Actor;
  detail: Record<string, unknown>;
  /** The audit entry that recorded it (a stable, unique identity of the change, e.g. for time series). */
  auditId?: number;
}

/** What the alert service publishes on the bus. */
export interface AlertEvents {
  'alert:changed': [AlertChange];
}
