import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Id, Message, Priority, Sequenced } from './common.js';
import { ErrorBody } from './errors.js';

/**
 * Alarms the gateway could not store are dispatched with numbers from here up, so they can never
 * be mistaken for a stored alert (stored numbers count up from 1).
 */
export const PROVISIONAL_ALERT_ID_BASE = 2_000_000_000;
/** Whether an alert number is provisional (an alarm the gateway could not store). */
export const isProvisionalAlertId = (id: number) => id >= PROVISIONAL_ALERT_ID_BASE;

const AlertId = Type.Integer({ minimum: 1, description: 'Alert number, as given in the dispatch.' });

export const Outcome = Type.Union(
  [
    Type.Literal('assisted'),
    Type.Literal('resident-ok'),
    Type.Literal('false-alarm'),
    Type.Literal('medical-attention'),
    Type.Literal('emergency-services'),
    Type.Literal('other'),
  ],
  { description: 'How the alert ended; every alert is closed with one.' },
);

export const AlertKind = Type.Union(
  [
    Type.Literal('sos'),
    Type.Literal('fall'),
    Type.Literal('call'),
    Type.Literal('emergency-call'),
    Type.Literal('device-offline'),
    Type.Literal('vital-sign'),
    Type.Literal('inactivity'),
    Type.Literal('not-up'),
    Type.Literal('night-wandering'),
    Type.Literal('battery-low'),
    Type.Literal('not-worn'),
    Type.Literal('unclassified'),
    Type.Literal('alert-summary'),
    Type.Literal('feedback-follow-up'),
  ],
  {
    description:
      "What raised the alert. `sos`, `fall`, `call`, `emergency-call`: the resident or the device asked. `device-offline`: the device missed its heartbeats (supervision, EN 50134), so it cannot raise an alarm. The anomaly rules raise the rest before anybody has to ask: `vital-sign` (a vital outside its limits for a sustained time), `inactivity` (far less activity than the resident's own rhythm), `not-up` (not up by the usual time), `night-wandering`, `battery-low`, `not-worn`; `unclassified` is input no rule could place (it goes to a person); `alert-summary` lists lower-priority alerts held back from handsets during an alert storm; `feedback-follow-up` is a supervisor's task after an unhappy burst at a feedback kiosk.",
  },
);

const replyAction = <A extends string, E extends Record<string, TSchema> = Record<never, TSchema>>(
  action: A,
  description: string,
  extra: E = {} as E,
) =>
  Message(
    { ...Sequenced, action: Type.Literal(action), alertId: AlertId, ...extra },
    { $id: `Reply${action[0]!.toUpperCase()}${action.slice(1)}`, description },
  );

export const HandsetReply = Type.Union(
  [
    replyAction('received', 'The handset received and showed the dispatch (delivery receipt).'),
    replyAction(
      'ack',
      'Accept: "I am going". The first acknowledger owns the alert. Also accepts a handover offered to you.',
    ),
    replyAction(
      'decline',
      'Cannot go now; the alert moves on (at once when everyone at this level declined). Also refuses a handover offered to you, and gives back an alert you own but have not arrived at (it is dispatched again at once).',
      {
        reason: Type.Optional(Type.String({ maxLength: 200 })),
      },
    ),
    replyAction('arrived', 'The owner is with the resident.'),
    replyAction('resolve', 'The owner closes the alert with an outcome.', {
      outcome: Outcome,
      note: Type.Optional(Type.String({ maxLength: 500 })),
    }),
    replyAction(
      'handover',
      'The owner (or a supervisor on shift) offers the alert to another staff member on shift, who becomes the owner on accepting it (`ack`); until then the owner keeps it.',
      {
        to: Id('Staff id of the new owner.'),
        note: Type.Optional(Type.String({ maxLength: 500 })),
      },
    ),
    replyAction(
      'reassign',
      'A supervisor on shift moves an open alert to another staff member on shift, at once (no offer to accept): the new owner gets it as a `reassigned` dispatch, the one who had it a withdrawal. For an owner who cannot be reached.',
      {
        to: Id('Staff id of the new owner.'),
        note: Type.Optional(Type.String({ maxLength: 500 })),
      },
    ),
    replyAction(
      'note',
      "Adds a note to the alert's audit trail; changes nothing else. By its owner, anyone it was sent to, or a supervisor on shift.",
      { text: Type.String({ minLength: 1, maxLength: 500 }) },
    ),
  ],
  {
    $id: 'HandsetReply',
    description: 'Staff handset → gateway: what the carer does with an alert; `action` says what.',
  },
);

export const ReplyResult = Message(
  {
    ts: Type.Integer({ minimum: 0 }),
    transaction: Type.Integer({ minimum: 0, description: 'The `seq` of the reply this answers.' }),
    action: Type.String(),
    alertId: Type.Integer({ minimum: 0 }),
    status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
    error: Type.Optional(ErrorBody),
  },
  { $id: 'ReplyResult', description: 'Gateway → handset: whether a reply was accepted, and why not.' },
);

export const DispatchReason = Type.Union(
  [
    Type.Literal('new'),
    Type.Literal('escalation'),
    Type.Literal('reminder'),
    Type.Literal('handover'),
    Type.Literal('update'),
    Type.Literal('resend'),
    Type.Literal('handover-declined'),
    Type.Literal('unrecorded'),
    Type.Literal('reassigned'),
  ],
  {
    description:
      '`new`: first dispatch; `escalation`: not accepted in time at an earlier level; `reminder`: acknowledged but nobody arrived in time, or arrived but not closed in time; `handover`: offered to you, accept (`ack`) to take it over; `update`: the resident called again; `resend`: still yours, sent again because your handset (re)connected; `handover-declined`: the colleague you offered it to declined, it is still yours; `unrecorded`: the gateway could not store this alarm, so it goes to everyone on shift from memory with a provisional number (see `provisional`), repeated until it is stored; go, but replies to it are refused — the stored alert follows as a `new` dispatch and the provisional one is withdrawn (`recorded`); `reassigned`: a supervisor gave you this alert, it is yours now (no need to accept).',
  },
);

export const Dispatch = Message(
  {
    ts: Type.Integer({ minimum: 0, description: 'Gateway clock, Unix epoch milliseconds.' }),
    type: Type.Literal('alert'),
    alertId: AlertId,
    reason: DispatchReason,
    kind: AlertKind,
    priority: Priority,
    level: Type.Integer({ minimum: 0, description: 'Escalation level: 0 first responder, then higher.' }),
    raisedAt: Type.Integer({ minimum: 0 }),
    count: Type.Integer({ minimum: 1, description: 'How many times the resident raised this alert.' }),
    residentId: Type.Optional(Type.String()),
    residentName: Type.Optional(Type.String()),
    room: Type.Optional(
      Type.String({ description: 'Where the call was made: the room of the care button or pull cord.' }),
    ),
    homeRoom: Type.Optional(
      Type.String({
        description:
          'Where the resident lives, for a wristband alert: not a location report, the resident may be elsewhere.',
      }),
    ),
    zone: Type.String(),
    ownerId: Type.Optional(Type.String({ description: 'Staff id of the current owner, once acknowledged.' })),
    provisional: Type.Optional(
      Type.Literal(true, {
        description: `Only with reason \`unrecorded\`: \`alertId\` is a provisional number (${PROVISIONAL_ALERT_ID_BASE} and up), not a stored alert; nobody can accept or own it.`,
      }),
    ),
  },
  { $id: 'Dispatch', description: 'Gateway → handset: an alert for you to accept.' },
);

export const Withdrawal = Message(
  {
    ts: Type.Integer({ minimum: 0 }),
    type: Type.Literal('withdrawn'),
    alertId: AlertId,
    reason: Type.Union(
      [
        Type.Literal('taken'),
        Type.Literal('cancelled'),
        Type.Literal('resolved'),
        Type.Literal('handed-over'),
        Type.Literal('handover-withdrawn'),
        Type.Literal('returned'),
        Type.Literal('recorded'),
        Type.Literal('reassigned'),
      ],
      {
        description:
          '`taken`: someone else accepted it; `cancelled`/`resolved`: it ended; `handed-over`: your colleague accepted your handover; `handover-withdrawn`: a handover offered to you was offered to someone else; `returned`: you did not arrive after the reminders, or gave it back (`decline`), so it went to others (accept it again if you are on your way); `recorded`: a provisional (`unrecorded`) alarm is now stored and was dispatched under its real number; `reassigned`: a supervisor gave the alert to someone else (`byStaffId`).',
      },
    ),
    byStaffId: Type.Optional(Type.String()),
  },
  {
    $id: 'Withdrawal',
    description: 'Gateway → handset: clear this alert from your screen (someone else took it, or it ended).',
  },
);

export const ProblemName = Type.Union([Type.Literal('storage'), Type.Literal('clock')], {
  description:
    '`storage`: the gateway cannot write its database (alarms still go out from memory, but nothing is tracked or escalated); `clock`: the gateway clock is not trustworthy (behind what it recorded before).',
});

export const SystemNotice = Message(
  {
    ts: Type.Integer({ minimum: 0 }),
    type: Type.Literal('system'),
    problem: ProblemName,
    state: Type.Union([Type.Literal('degraded'), Type.Literal('recovered')]),
    text: Type.String({ description: "What is wrong (or that it is fixed), in people's words." }),
  },
  {
    $id: 'SystemNotice',
    description:
      'Gateway → handset: the gateway itself is degraded or recovered. Sent from memory to the supervisors on shift (everyone registered when none is on shift), so it arrives even when storage failed.',
  },
);

export const HandsetMessage = Type.Union([Dispatch, Withdrawal, SystemNotice], {
  $id: 'HandsetMessage',
  description:
    'Gateway → handset: an alert to accept, the withdrawal of one, or a notice about the gateway itself; `type` says which.',
});

export const GatewayState = Message(
  {
    ts: Type.Integer({ minimum: 0 }),
    state: Type.Union([Type.Literal('online'), Type.Literal('degraded'), Type.Literal('offline')]),
    version: Type.Optional(Type.String()),
    problems: Type.Optional(
      Type.Array(
        Type.Object(
          {
            problem: ProblemName,
            reason: Type.String(),
            since: Type.Integer({ minimum: 0, description: 'Gateway clock when it started.' }),
          },
          { additionalProperties: false },
        ),
        { description: 'Only with `degraded`: what is wrong.' },
      ),
    ),
  },
  {
    $id: 'GatewayState',
    description:
      "Retained. `offline` is the gateway's last will; `degraded`: running, but with the listed problems.",
  },
);

export type HandsetReply = Static<typeof HandsetReply>;
export type ReplyAction = HandsetReply['action'];
export type ReplyResult = Static<typeof ReplyResult>;
export type Outcome = Static<typeof Outcome>;
export type AlertKind = Static<typeof AlertKind>;
export type Dispatch = Static<typeof Dispatch>;
export type DispatchReason = Static<typeof DispatchReason>;
export type Withdrawal = Static<typeof Withdrawal>;
export type HandsetMessage = Static<typeof HandsetMessage>;
export type SystemNotice = Static<typeof SystemNotice>;
export type ProblemName = Static<typeof ProblemName>;
export type GatewayState = Static<typeof GatewayState>;
