import { AlertKind, ErrorBody, Outcome, PROVISIONAL_ALERT_ID_BASE, Priority } from '@careedge/edge';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { Alert, AuditEntry } from '../alerts/model.js';
import type { Target } from '../alerts/store.js';
import type { Problem } from '../core/health.js';

// The shapes the HTTP API answers with, after the alert model (alerts/model.ts). The assertions at
// the end fail to compile when the model and these schemas drift apart.

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The string literals of a union of literals (unions nested in it included). */
const literals = (schema: TSchema): string[] =>
  Array.isArray(schema.anyOf) ? (schema.anyOf as TSchema[]).flatMap(literals) : [schema.const as string];

/**
 * A choice of strings (kind, state, outcome…) as `enum`, not as the union of literals: for a
 * union, fast-json-stringify throws when a value matches no member, so one row written by a newer
 * release (then rolled back) turned a whole alert list into a 500. An enum is written as it is
 * stored; the document still lists the known values.
 */
const choice = <T extends TSchema>(union: T, description = union.description as string | undefined) =>
  Type.Unsafe<Static<T>>({ type: 'string', enum: literals(union), ...(description ? { description } : {}) });
const nullableChoice = <T extends TSchema>(union: T) =>
  Type.Unsafe<Static<T> | null>({ type: ['string', 'null'], enum: [...literals(union), null] });
const Millis = (description: string) => Type.Integer({ minimum: 0, description });

const AlertStates = Type.Union(
  [
    Type.Literal('raised'),
    Type.Literal('dispatched'),
    Type.Literal('acknowledged'),
    Type.Literal('attended'),
    Type.Literal('resolved'),
    Type.Literal('cancelled'),
  ],
  {
    description:
      'raised → dispatched → acknowledged (owned) → attended → resolved; or cancelled at the device.',
  },
);
export const AlertState = choice(AlertStates);

export const AlertSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    kind: choice(AlertKind),
    priority: choice(Priority),
    state: AlertState,
    deviceId: Type.String(),
    residentId: nullable(Type.String()),
    roomId: nullable(Type.String()),
    zoneId: Type.String(),
    raisedAt: Millis('Gateway clock, Unix epoch milliseconds.'),
    updatedAt: Millis('Last change.'),
    count: Type.Integer({ minimum: 1, description: 'How many times the resident raised it.' }),
    lastTriggerAt: Millis('Last press.'),
    ownerId: nullable(Type.String({ description: 'Staff member who accepted it.' })),
    acknowledgedAt: nullable(Millis('When it was accepted.')),
    attendedAt: nullable(Millis('When the owner arrived.')),
    closedAt: nullable(Millis('When it was resolved or cancelled.')),
    outcome: nullableChoice(Type.Union([Outcome, Type.Literal('cancelled')])),
    note: nullable(Type.String()),
    level: Type.Integer({ minimum: 0, description: 'Dispatch step: 0 first, one more per escalation.' }),
    deadlineAt: nullable(Millis('When its timer fires (escalation or reminder).')),
    reminders: Type.Integer({ minimum: 0 }),
    handoverTo: nullable(Type.String({ description: 'Staff member a handover is offered to.' })),
    excludeStaff: nullable(Type.String({ description: 'Staff not asked, comma-separated.' })),
    ruleId: nullable(Type.String({ description: 'The rule that raised it (its id in the rules file).' })),
    rulesVersion: nullable(
      Type.String({ description: 'Content hash of the rules file in force when it was raised.' }),
    ),
    heldBack: nullable(
      Type.String({
        description:
          'Why its first dispatch waits: `storm` (an alert storm; summarised to the shift supervisor, dispatched when the storm is over).',
      }),
    ),
  },
  { additionalProperties: false, description: 'An alert: what the resident raised and where it stands.' },
);

export const TargetSchema = Type.Object(
  {
    level: Type.Integer({
      description: 'Dispatch step it was sent at; -1 for reminders and handover offers.',
    }),
    staffId: Type.String(),
    sentAt: Millis('When it was sent.'),
    receivedAt: nullable(Millis('When the handset confirmed it.')),
    declinedAt: nullable(Millis('When they declined.')),
  },
  { additionalProperties: false, description: 'A staff member the alert was sent to.' },
);

export const AuditSchema = Type.Object(
  {
    id: Type.Integer(),
    alertId: Type.Integer(),
    at: Millis('When.'),
    actor: Type.String({ description: '`staff:<id>`, `device:<id>` or `system`.' }),
    action: Type.String({ description: 'What happened (raised, acknowledged, reassigned, noted, …).' }),
    fromState: nullableChoice(AlertStates),
    toState: nullableChoice(AlertStates),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false, description: 'One entry of the append-only audit trail.' },
);

export const AlertDetail = Type.Object(
  {
    alert: AlertSchema,
    targets: Type.Array(TargetSchema),
    audit: Type.Array(AuditSchema),
    auditNext: Type.Optional(
      Type.Integer({
        description:
          'More audit entries follow: ask again with `auditAfter` = this (the id of the last entry given).',
      }),
    ),
    archived: Type.Boolean({
      description: 'Closed long ago and moved to the archive (alerts.archiveAfterDays).',
    }),
  },
  { additionalProperties: false, description: 'The alert, whom it was sent to, and its audit trail.' },
);

export const AlertList = Type.Object(
  { alerts: Type.Array(AlertSchema) },
  { additionalProperties: false, description: 'The alerts asked for.' },
);

export const ProblemSchema = Type.Object(
  {
    problem: choice(Type.Union([Type.Literal('storage'), Type.Literal('clock')])),
    reason: Type.String(),
    since: Millis('Gateway clock when it started.'),
  },
  { additionalProperties: false },
);

/** The certificate on /healthz: staff compare the fingerprint with the one their browser shows. */
export const TlsBody = Type.Object(
  {
    fingerprint: Type.String({
      description: "SHA-256 fingerprint of the gateway's TLS certificate (`AB:CD:…`), as browsers show it.",
    }),
    source: Type.Union([Type.Literal('configured'), Type.Literal('self-signed')]),
    validTo: Type.String({ format: 'date-time', description: 'When clients stop accepting it.' }),
  },
  { additionalProperties: false, description: 'Only when HTTPS or MQTT over TLS is on.' },
);

export const HealthBody = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    site: Type.String(),
    openAlerts: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Missing when storage cannot be read (then degraded).' }),
    ),
    problems: Type.Optional(Type.Array(ProblemSchema, { description: 'Only when degraded.' })),
    tls: Type.Optional(TlsBody),
    warnings: Type.Optional(
      Type.Array(
        Type.Object(
          {
            warning: Type.String({ description: 'What is affected, e.g. `forwarding`.' }),
            reason: Type.String(),
            since: Millis('Gateway clock when it started.'),
          },
          { additionalProperties: false },
        ),
        {
          description:
            'Only when there are any: trouble outside the alarm path (InfluxDB unreachable, telemetry dropped). Does not make the gateway degraded.',
        },
      ),
    ),
  },
  { additionalProperties: false, description: 'How the gateway is: `ok`, or `degraded` with the problems.' },
);

/** Every error answer: a code of the one catalogue (edge/src/protocol/errors.ts) and a sentence. */
export const httpError = (description: string) =>
  Type.Object({ error: ErrorBody }, { additionalProperties: false, description });
export const HttpError = httpError('An error of the catalogue, and what went wrong.');
export type HttpError = Static<typeof HttpError>;

/** The errors a route can answer with, for its response schema. */
export const ERROR_RESPONSES = {
  400: httpError('`invalid-request`: a parameter does not match its schema; the message says which.'),
  404: httpError('`alert-not-found`, or `not-found` for an unknown route.'),
  409: httpError(
    `\`alert-unrecorded\`: a provisional number (${PROVISIONAL_ALERT_ID_BASE} and up), an alarm sent from memory while storage failed.`,
  ),
  500: httpError('`internal-error`: the gateway could not answer (logged); try again.'),
} as const;

/** The refusals of the access plugin (plugins/access.ts), for the routes' response schemas. */
export const AUTH_ERRORS = {
  read: {
    401: httpError('`unauthenticated`: no valid session cookie or bearer token.'),
    403: httpError('`forbidden`: the role is too low (the message names the one needed).'),
  },
  write: {
    401: httpError('`unauthenticated`: no valid session cookie or bearer token.'),
    403: httpError(
      "`forbidden`: the role is too low; `csrf`: a cookie request without the session's `x-csrf-token`.",
    ),
    413: httpError('`payload-too-large`: the body is larger than the API accepts.'),
  },
  login: {
    401: httpError('`unauthenticated`: the staff id or the password is wrong (the same answer for both).'),
    429: httpError(
      '`login-locked`: too many failed logins for this login from here; `rate-limited`: too many logins from this address. `Retry-After` gives the seconds.',
    ),
  },
} as const;

// Drift checks between the model and the schemas (compile time only).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const drift = <T extends true>(ok: T) => ok;
drift<Same<Static<typeof AlertSchema>, Alert>>(true);
drift<Same<Static<typeof TargetSchema>, Target>>(true);
drift<Same<Static<typeof AuditSchema>, AuditEntry>>(true);
drift<Same<Static<typeof ProblemSchema>, Problem>>(true);
