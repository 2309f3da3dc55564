import { type Static, Type } from '@sinclair/typebox';
import { Id, Priority } from './common.js';
import { AlertKind, Outcome } from './staff-messages.js';

/**
 * What a site gateway sends up to a head office's MQTT broker (the uplink, docs/uplink.md): alert
 * lifecycle changes and per-minute KPI summaries, pseudonymous. Never a name, a room, a note or a
 * raw resident, device or staff id: people appear only as keys (HMAC-SHA256 of the id with the
 * site's secret, 16 hex digits), the same keys the InfluxDB series carry.
 */
const Key = (description: string) => Type.String({ pattern: '^[0-9a-f]{16}$', description });
const NullableKey = (description: string) => Type.Union([Key(description), Type.Null()]);
const Seconds = (description: string) =>
  Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description });

/** Fields every uplink message carries, for de-duplication and gap detection upstream. */
const Envelope = {
  id: Type.String({
    description:
      'Deterministic message id, the same on every resend (after a reconnect or a gateway restart): de-duplicate on it.',
  }),
  seq: Type.Integer({
    minimum: 1,
    description:
      'Per-site queue sequence: rises by one per message queued on the gateway, never reused. A gap means the gateway dropped messages (and counted, logged and reported it).',
  }),
  site: Id('Site (care centre) id.'),
  at: Type.Integer({ minimum: 0, description: 'Gateway clock when the message was made, Unix epoch ms.' }),
};

/** Every change the audit trail records (the gateway's alerts/events.ts AlertAction). */
const AlertAction = Type.Union(
  [
    Type.Literal('raised'),
    Type.Literal('repeated'),
    Type.Literal('dispatched'),
    Type.Literal('escalated'),
    Type.Literal('received'),
    Type.Literal('declined'),
    Type.Literal('acknowledged'),
    Type.Literal('reminded'),
    Type.Literal('attended'),
    Type.Literal('resolved'),
    Type.Literal('cancelled'),
    Type.Literal('cancel-requested'),
    Type.Literal('handover-offered'),
    Type.Literal('handover-declined'),
    Type.Literal('handed-over'),
    Type.Literal('returned'),
    Type.Literal('retransmitted'),
    Type.Literal('reassigned'),
    Type.Literal('noted'),
    Type.Literal('reprioritised'),
    Type.Literal('condition-cleared'),
  ],
  { description: 'What happened to the alert.' },
);

const AlertState = Type.Union([
  Type.Literal('raised'),
  Type.Literal('dispatched'),
  Type.Literal('acknowledged'),
  Type.Literal('attended'),
  Type.Literal('resolved'),
  Type.Literal('cancelled'),
]);

export const UplinkAlertChange = Type.Object(
  {
    ...Envelope,
    alert: Key('Pseudonymous key of the alert: the same for every change of one alert.'),
    change: Type.Integer({
      minimum: 0,
      description: "The change's number in the site's audit trail; rises with each change of an alert.",
    }),
    action: AlertAction,
    state: AlertState,
    previousState: Type.Union([AlertState, Type.Null()]),
    kind: AlertKind,
    priority: Priority,
    zone: Id('Zone id from the site register (a wing or floor, never a room).'),
    level: Type.Integer({ minimum: 0, description: 'Dispatch step: 0 first dispatch, +1 per escalation.' }),
    count: Type.Integer({ minimum: 1, description: 'How many times the resident raised it.' }),
    resident: NullableKey('Pseudonymous resident key; null for an alert with no resident.'),
    owner: NullableKey('Pseudonymous key of the staff member who owns it.'),
    raisedAt: Type.Integer({ minimum: 0, description: 'When it was raised, Unix epoch ms.' }),
    acceptS: Seconds('Raise → acknowledge, seconds; null until acknowledged.'),
    arriveS: Seconds('Raise → arrival, seconds; null until attended.'),
    resolveS: Seconds('Raise → close, seconds; null while open.'),
    outcome: Type.Union([Outcome, Type.Literal('cancelled'), Type.Null()]),
    ruleId: Type.Optional(
      Id(
        "The rule that raised it: its id in the site's rules file. Absent for an alert no rule raised (an alert-storm summary).",
      ),
    ),
    rulesVersion: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{12}$',
        description:
          'Content hash of the rules file in force when it was raised: KPIs before and after a rules change compare by it.',
      }),
    ),
  },
  {
    $id: 'UplinkAlertChange',
    additionalProperties: false,
    description: 'One committed change of an alert, in the order of the site’s audit trail.',
  },
);
export type UplinkAlertChange = Static<typeof UplinkAlertChange>;

const Durations = Type.Object(
  {
    count: Type.Integer({ minimum: 0 }),
    sumS: Type.Number({ minimum: 0 }),
    maxS: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  },
  { additionalProperties: false, description: 'Aggregatable: add counts and sums across sites and minutes.' },
);
const ByPriority = Type.Object(
  {
    high: Type.Integer({ minimum: 0 }),
    medium: Type.Integer({ minimum: 0 }),
    low: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const UplinkKpiSummary = Type.Object(
  {
    ...Envelope,
    from: Type.Integer({ minimum: 0, description: 'Start of the minute summarised, Unix epoch ms.' }),
    to: Type.Integer({ minimum: 0, description: 'End of that minute (exclusive).' }),
    raised: ByPriority,
    acknowledged: Type.Integer({ minimum: 0 }),
    attended: Type.Integer({ minimum: 0 }),
    resolved: Type.Integer({ minimum: 0 }),
    cancelled: Type.Integer({ minimum: 0 }),
    escalated: Type.Integer({ minimum: 0 }),
    open: Type.Integer({ minimum: 0, description: 'Alerts open at the end of the minute.' }),
    acceptS: Durations,
    resolveS: Durations,
  },
  {
    $id: 'UplinkKpiSummary',
    additionalProperties: false,
    description:
      'Counts and response times of one minute at one site. A minute the gateway was down for is not sent; a minute it restarted in counts only what it saw.',
  },
);
export type UplinkKpiSummary = Static<typeof UplinkKpiSummary>;

/** The uplink's messages, for the JSON Schema files and docs/uplink.md. */
export const uplinkSchemas = [UplinkAlertChange, UplinkKpiSummary] as const;

const t = 1_767_261_600_000; // 2026-01-01T10:00:00Z, the story of examples.ts seen from head office

/** One valid payload per uplink message, validated against the schemas by edge's tests. */
export const uplinkExamples = {
  UplinkAlertChange: {
    id: 'rosehill/alert/5d0f7c1e9a2b4c63/4711',
    seq: 1289,
    site: 'rosehill',
    at: t + 19_050,
    alert: '5d0f7c1e9a2b4c63',
    change: 4711,
    action: 'acknowledged',
    state: 'acknowledged',
    previousState: 'dispatched',
    kind: 'fall',
    priority: 'high',
    zone: 'east-wing',
    level: 0,
    count: 1,
    resident: '8c1d2e3f4a5b6c7d',
    owner: 'a1b2c3d4e5f60718',
    raisedAt: t,
    acceptS: 19.05,
    arriveS: null,
    resolveS: null,
    outcome: null,
    ruleId: 'calls',
    rulesVersion: '3f9a0c6b21de',
  } satisfies UplinkAlertChange,
  UplinkKpiSummary: {
    id: 'rosehill/kpi/1767261600000',
    seq: 1290,
    site: 'rosehill',
    at: t + 60_000,
    from: t,
    to: t + 60_000,
    raised: { high: 1, medium: 2, low: 0 },
    acknowledged: 2,
    attended: 1,
    resolved: 1,
    cancelled: 0,
    escalated: 0,
    open: 2,
    acceptS: { count: 2, sumS: 64.3, maxS: 45.25 },
    resolveS: { count: 1, sumS: 612, maxS: 612 },
  } satisfies UplinkKpiSummary,
} as const;
