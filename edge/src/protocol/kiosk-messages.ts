import { type Static, Type } from '@sinclair/typebox';
import { Id, Message, Sequenced } from './common.js';

/** The four faces of a feedback kiosk: deliberately no neutral one. Scores 4 … 1 (Happy Index). */
export const FACES = ['very-happy', 'happy', 'unhappy', 'very-unhappy'] as const;
export type Face = (typeof FACES)[number];

/** Score of a face for the Happy Index (mean face score): very happy 4 … very unhappy 1. */
export const FACE_SCORE: Record<Face, number> = {
  'very-happy': 4,
  happy: 3,
  unhappy: 2,
  'very-unhappy': 1,
};

export const KioskTap = Message(
  {
    ...Sequenced,
    face: Type.Union(
      FACES.map((f) => Type.Literal(f)),
      { description: 'The face tapped: very-happy, happy, unhappy or very-unhappy (no neutral).' },
    ),
    reason: Type.Optional(
      Id('Optional reason tapped after the face: an id from the configured list (`feedback.reasons`).'),
    ),
  },
  {
    $id: 'KioskTap',
    description:
      'Feedback kiosk: one anonymous tap. The "call staff" key is a `call` event on the event channel instead.',
  },
);

export const KioskThanks = Message(
  {
    ts: Type.Integer({ minimum: 0, description: 'Gateway clock, Unix epoch milliseconds.' }),
    tapSeq: Type.Integer({ minimum: 0, description: 'The `seq` of the tap being thanked.' }),
    text: Type.String({ maxLength: 160, description: 'Text the kiosk shows.' }),
  },
  { $id: 'KioskThanks', description: 'Gateway → kiosk: thank-you for a tap (also for a filtered one).' },
);

export const LocationReport = Message(
  {
    ...Sequenced,
    roomId: Type.Optional(Id('Room whose beacon or base station hears the band best.')),
    zoneId: Type.Optional(Id('Zone (corridor, lounge) when no room is known.')),
    rssiDbm: Type.Optional(Type.Integer({ minimum: -130, maximum: 0, description: 'Signal heard, dBm.' })),
  },
  {
    $id: 'LocationReport',
    description:
      'Where a wristband was last heard (room or zone, from the site file), e.g. relayed by a radio base station: for night wandering.',
  },
);

export const DeviceConfiguration = Message(
  {
    ts: Type.Integer({ minimum: 0, description: 'Gateway clock, Unix epoch milliseconds.' }),
    heartbeatIntervalS: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86_400, description: 'Heartbeat interval the device should use.' }),
    ),
    telemetryIntervalS: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3_600, description: 'Telemetry interval (wristbands).' }),
    ),
    reasons: Type.Optional(
      Type.Array(Id('Reason id.'), {
        maxItems: 16,
        description: 'Kiosks: the reasons to offer after an unhappy face (`feedback.reasons`).',
      }),
    ),
  },
  { $id: 'DeviceConfiguration', description: 'Gateway → device: settings to apply. Retained.' },
);

export type KioskTap = Static<typeof KioskTap>;
export type KioskThanks = Static<typeof KioskThanks>;
export type LocationReport = Static<typeof LocationReport>;
export type DeviceConfiguration = Static<typeof DeviceConfiguration>;
