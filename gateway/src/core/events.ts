import type { DeviceEvent, DeviceStatus, HandsetReply, Heartbeat, WristbandTelemetry } from '@careedge/edge';
import type { Actor, Alert, AlertState } from '../alerts/model.js';
import type { DeviceContext } from '../register/types.js';

/** A validated, de-duplicated device message, enriched with where it comes from. */
export interface FromDevice<T> {
  source: DeviceContext;
  message: T;
  /** Gateway clock when the message arrived. */
  receivedAt: number;
  /**
   * Marks the message handled. Whoever records what the message caused (an alert, a repeat) runs
   * it inside that SQLite transaction, so a write-ahead entry and its alert commit together.
   */
  settle?: () => void;
  /**
   * The sequence check saw this (seq, ts) moments ago: most likely a retransmission. An alarm is
   * still delivered (a device whose clock resets repeats pairs), and joins its open alert if any.
   */
  retransmission?: boolean;
}

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
  | 'noted';

/** Published after the change is committed to SQLite, never before. */
export interface AlertChange {
  alert: Alert;
  previousState: AlertState | null;
  action: AlertAction;
  actor: Actor;
  detail: Record<string, unknown>;
}

/** Everything that travels on the gateway's internal event bus. */
export interface GatewayEvents {
  'device:telemetry': [FromDevice<WristbandTelemetry>];
  'device:event': [FromDevice<DeviceEvent>];
  'device:heartbeat': [FromDevice<Heartbeat>];
  'device:status': [FromDevice<DeviceStatus>];
  'staff:status': [{ staffId: string; state: 'online' | 'offline'; receivedAt: number }];
  'staff:reply': [{ staffId: string; reply: HandsetReply; receivedAt: number }];
  'alert:changed': [AlertChange];
}
