import type {
  DeviceEvent,
  DeviceStatus,
  Heartbeat,
  Reassurance,
  WristbandTelemetry,
} from './device-messages.js';
import type { DeviceConfiguration, KioskTap, KioskThanks, LocationReport } from './kiosk-messages.js';
import type {
  Dispatch,
  GatewayState,
  HandsetReply,
  ReplyResult,
  SystemNotice,
  Withdrawal,
} from './staff-messages.js';

/**
 * One valid payload per message, keyed by the schema `$id`. They are type-checked here, validated
 * against the schemas by the tests, and shown in the AsyncAPI document, so they cannot drift.
 * A single story: resident in room 12 falls, Maria is dispatched, accepts, arrives and resolves.
 */
const t = 1_767_261_600_000; // 2026-01-01T10:00:00Z

export const messageExamples = {
  WristbandTelemetry: {
    seq: 1042,
    ts: t,
    heartRateBpm: 72,
    activity: 12.5,
    steps: 38,
    worn: true,
    batteryPct: 81,
    rssiDbm: -67,
  } satisfies WristbandTelemetry,
  SosEvent: { seq: 1043, ts: t + 1_000, type: 'sos' } satisfies DeviceEvent,
  FallEvent: { seq: 1044, ts: t + 2_000, type: 'fall', confidence: 0.92 } satisfies DeviceEvent,
  OffWristEvent: { seq: 1045, ts: t + 3_000, type: 'off-wrist' } satisfies DeviceEvent,
  CallEvent: { seq: 310, ts: t + 4_000, type: 'call', source: 'pull-cord' } satisfies DeviceEvent,
  PresenceEvent: { seq: 311, ts: t + 5_000, type: 'presence', on: true } satisfies DeviceEvent,
  CancelEvent: { seq: 312, ts: t + 6_000, type: 'cancel' } satisfies DeviceEvent,
  Heartbeat: {
    seq: 1046,
    ts: t + 7_000,
    intervalS: 300,
    uptimeS: 86_400,
    firmware: 'wb-2.4.1',
  } satisfies Heartbeat,
  DeviceStatus: { seq: 0, ts: t - 60_000, state: 'online' } satisfies DeviceStatus,
  Reassurance: {
    ts: t + 20_000,
    alertId: 17,
    kind: 'help-coming',
    staffFirstName: 'Maria',
    text: 'Help is coming: Maria is on the way.',
  } satisfies Reassurance,
  KioskTap: { seq: 77, ts: t + 3_600_000, face: 'unhappy', reason: 'food' } satisfies KioskTap,
  KioskThanks: { ts: t + 3_600_050, tapSeq: 77, text: 'Thank you for telling us.' } satisfies KioskThanks,
  LocationReport: { seq: 1047, ts: t + 8_000, roomId: '12', rssiDbm: -71 } satisfies LocationReport,
  DeviceConfiguration: {
    ts: t - 60_000,
    heartbeatIntervalS: 300,
    reasons: ['food', 'noise', 'waiting', 'cleanliness'],
  } satisfies DeviceConfiguration,
  Dispatch: {
    ts: t + 2_500,
    type: 'alert',
    alertId: 17,
    reason: 'new',
    kind: 'fall',
    priority: 'high',
    level: 0,
    raisedAt: t + 2_000,
    count: 1,
    residentId: 'res-0042',
    residentName: 'Edith Brown',
    room: '12',
    zone: 'East wing',
  } satisfies Dispatch,
  Withdrawal: {
    ts: t + 19_500,
    type: 'withdrawn',
    alertId: 17,
    reason: 'taken',
    byStaffId: 'staff-maria',
  } satisfies Withdrawal,
  SystemNotice: {
    ts: t + 30_000,
    type: 'system',
    problem: 'storage',
    state: 'degraded',
    text: 'The gateway cannot write its database (database or disk is full): alarms go to everyone on shift from memory and are not tracked or escalated.',
  } satisfies SystemNotice,
  ReplyReceived: { seq: 88, ts: t + 3_000, action: 'received', alertId: 17 } satisfies HandsetReply,
  ReplyAck: { seq: 89, ts: t + 19_000, action: 'ack', alertId: 17 } satisfies HandsetReply,
  ReplyDecline: {
    seq: 90,
    ts: t + 19_200,
    action: 'decline',
    alertId: 17,
    reason: 'With another resident',
  } satisfies HandsetReply,
  ReplyArrived: { seq: 91, ts: t + 140_000, action: 'arrived', alertId: 17 } satisfies HandsetReply,
  ReplyResolve: {
    seq: 93,
    ts: t + 600_000,
    action: 'resolve',
    alertId: 17,
    outcome: 'assisted',
    note: 'Helped up, no injury.',
  } satisfies HandsetReply,
  ReplyHandover: {
    seq: 92,
    ts: t + 300_000,
    action: 'handover',
    alertId: 17,
    to: 'staff-tom',
    note: 'Shift change.',
  } satisfies HandsetReply,
  ReplyReassign: {
    seq: 12,
    ts: t + 320_000,
    action: 'reassign',
    alertId: 17,
    to: 'staff-tom',
    note: 'Maria does not answer her handset.',
  } satisfies HandsetReply,
  ReplyNote: {
    seq: 94,
    ts: t + 610_000,
    action: 'note',
    alertId: 17,
    text: 'Daughter informed by phone.',
  } satisfies HandsetReply,
  ReplyResult: {
    ts: t + 19_050,
    transaction: 89,
    action: 'ack',
    alertId: 17,
    status: 'ok',
  } satisfies ReplyResult,
  GatewayState: { ts: t - 3_600_000, state: 'online', version: '0.1.0' } satisfies GatewayState,
} as const;

export type ExampleId = keyof typeof messageExamples;
