import { type Static, Type } from '@sinclair/typebox';
import { Message, Sequenced } from './common.js';

export const WristbandTelemetry = Message(
  {
    ...Sequenced,
    heartRateBpm: Type.Optional(
      Type.Integer({
        minimum: 20,
        maximum: 250,
        description: 'Heart rate; absent while the band is not worn.',
      }),
    ),
    activity: Type.Number({
      minimum: 0,
      maximum: 100,
      description: 'Movement intensity over the reporting interval, 0 (still) to 100.',
    }),
    steps: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Steps counted in the reporting interval.' }),
    ),
    worn: Type.Boolean({ description: 'Skin contact: true while the band is on the wrist.' }),
    batteryPct: Type.Integer({ minimum: 0, maximum: 100, description: 'Battery charge, percent.' }),
    rssiDbm: Type.Integer({
      minimum: -130,
      maximum: 0,
      description: 'Radio signal strength at the band, dBm.',
    }),
  },
  { $id: 'WristbandTelemetry', description: 'Periodic wristband reading (typically every 1–60 s).' },
);

export const SosEvent = Message(
  { ...Sequenced, type: Type.Literal('sos', { description: 'The resident pressed the SOS button.' }) },
  { $id: 'SosEvent', description: 'Wristband SOS button pressed.' },
);

export const FallEvent = Message(
  {
    ...Sequenced,
    type: Type.Literal('fall'),
    confidence: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: "The band's own fall-detection confidence." }),
    ),
  },
  { $id: 'FallEvent', description: 'Wristband detected a fall.' },
);

export const OffWristEvent = Message(
  { ...Sequenced, type: Type.Literal('off-wrist') },
  { $id: 'OffWristEvent', description: 'Wristband lost skin contact (taken off, or slipped).' },
);

export const CallSource = Type.Union([Type.Literal('button'), Type.Literal('pull-cord')], {
  description: 'Which input raised the call.',
});

export const CallEvent = Message(
  {
    ...Sequenced,
    type: Type.Literal('call'),
    source: Type.Optional(CallSource),
  },
  { $id: 'CallEvent', description: 'Care button / pull cord: the resident calls for staff.' },
);

export const PresenceEvent = Message(
  {
    ...Sequenced,
    type: Type.Literal('presence'),
    on: Type.Boolean({ description: 'true: staff presence set in the room; false: cleared.' }),
  },
  {
    $id: 'PresenceEvent',
    description:
      'Staff presence key in the room (DIN VDE 0834): a call while presence is set is an emergency call.',
  },
);

export const CancelEvent = Message(
  { ...Sequenced, type: Type.Literal('cancel') },
  {
    $id: 'CancelEvent',
    description: 'Reset at the device (cancel key, pull-cord reset): withdraws the open call.',
  },
);

export const WristbandEvent = Type.Union([SosEvent, FallEvent, OffWristEvent], { $id: 'WristbandEvent' });
export const ButtonEvent = Type.Union([CallEvent, PresenceEvent, CancelEvent], { $id: 'ButtonEvent' });
export const DeviceEvent = Type.Union(
  [SosEvent, FallEvent, OffWristEvent, CallEvent, PresenceEvent, CancelEvent],
  {
    $id: 'DeviceEvent',
    description:
      'Something happened at a device; `type` says what. Which types a device may send depends on its kind.',
  },
);

/**
 * Event types that call for a person: SOS, fall and care-button call. Defined once, here, because
 * the gateway treats them apart in two places: ingest acts on them even when the message breaks
 * the schema, and the broker records them durably before it acknowledges them (PUBACK).
 */
export const ALARM_EVENT_TYPES = ['sos', 'fall', 'call'] as const satisfies readonly DeviceEventType[];
export type AlarmEventType = (typeof ALARM_EVENT_TYPES)[number];

export const isAlarmEventType = (type: unknown): type is AlarmEventType =>
  (ALARM_EVENT_TYPES as readonly unknown[]).includes(type);

export const Heartbeat = Message(
  {
    ...Sequenced,
    intervalS: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      description:
        'Seconds until the next heartbeat. A device silent for `rules.supervision.missedHeartbeats` intervals (default 3) plus a grace raises a `device-offline` alert (supervision, EN 50134).',
    }),
    uptimeS: Type.Optional(Type.Integer({ minimum: 0 })),
    firmware: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { $id: 'Heartbeat', description: 'Periodic check-in that proves the device is alive.' },
);

export const DeviceStatus = Message(
  {
    ...Sequenced,
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  },
  {
    $id: 'DeviceStatus',
    description:
      'Retained. The device publishes `online` after connecting and registers `offline` as its MQTT last will.',
  },
);

export const Reassurance = Message(
  {
    ts: Type.Integer({ minimum: 0, description: 'Gateway clock, Unix epoch milliseconds.' }),
    alertId: Type.Integer({ minimum: 1 }),
    kind: Type.Union([Type.Literal('help-coming'), Type.Literal('delayed'), Type.Literal('resolved')], {
      description:
        '`help-coming`: a staff member acknowledged the alert; `delayed`: the one coming did not arrive in time and others are being called; `resolved`: the alert is closed.',
    }),
    staffFirstName: Type.Optional(Type.String({ maxLength: 64 })),
    text: Type.String({ maxLength: 160, description: 'Text to show or speak on the device.' }),
  },
  { $id: 'Reassurance', description: 'Gateway → device: tell the resident that help is on the way.' },
);

export type WristbandTelemetry = Static<typeof WristbandTelemetry>;
export type DeviceEvent = Static<typeof DeviceEvent>;
export type CallSource = Static<typeof CallSource>;
export type DeviceEventType = DeviceEvent['type'];
export type Heartbeat = Static<typeof Heartbeat>;
export type DeviceStatus = Static<typeof DeviceStatus>;
export type Reassurance = Static<typeof Reassurance>;
