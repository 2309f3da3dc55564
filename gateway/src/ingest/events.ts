import type {
  DeviceEvent,
  DeviceStatus,
  HandsetReply,
  Heartbeat,
  KioskTap,
  LocationReport,
  WristbandTelemetry,
} from '@careedge/edge';
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

export type StaffStatus = { staffId: string; state: 'online' | 'offline'; receivedAt: number };

/** What ingest publishes on the bus: device messages and handset messages, validated. */
export interface IngestEvents {
  'device:telemetry': [FromDevice<WristbandTelemetry>];
  'device:event': [FromDevice<DeviceEvent>];
  'device:heartbeat': [FromDevice<Heartbeat>];
  'device:status': [FromDevice<DeviceStatus>];
  /** A feedback kiosk tap (anonymous: the source is the kiosk and its room). */
  'device:tap': [FromDevice<KioskTap>];
  /** Where a wristband was last heard; the room or zone it names exists in the register. */
  'device:location': [FromDevice<LocationReport>];
  'staff:status': [StaffStatus];
  'staff:reply': [{ staffId: string; reply: HandsetReply; receivedAt: number }];
  /** A reply the schema refused, with what could be read of it: the handset still gets an answer. */
  'staff:reply-refused': [{ staffId: string; seq: number; action: string; alertId: number; problem: string }];
}
