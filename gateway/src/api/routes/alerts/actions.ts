import { Outcome } from '@careedge/edge';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { AlertCommand, AlertCommands } from '../../../alerts/commands.js';
import { AlertError } from '../../../alerts/errors.js';
import { hasRole } from '../../../auth/roles.js';
import { ApiError } from '../../errors.js';
import { AlertParams, inRange } from '../../params.js';
import { principalOf } from '../../plugins/access.js';
import { AlertSchema, AUTH_ERRORS, ERROR_RESPONSES, httpError } from '../../schemas.js';

const StaffId = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description });
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 1000, description });

const ActionBody = Type.Object(
  {
    action: Type.Union(
      ['accept', 'decline', 'arrive', 'resolve', 'handover', 'reassign', 'note'].map((a) => Type.Literal(a)),
      { description: 'What to do (the command path of alerts/commands.ts, as a handset reply).' },
    ),
    outcome: Type.Optional({ ...Outcome, description: '`resolve` (required): how it ended.' }),
    to: Type.Optional(StaffId('`handover`, `reassign` (required): the colleague on shift.')),
    note: Type.Optional(Text('`resolve`, `handover`, `reassign`: a note for the audit trail.')),
    reason: Type.Optional(Text('`decline`: why.')),
    text: Type.Optional(Text('`note` (required): the note.')),
  },
  { additionalProperties: false },
);
type ActionBody = Static<typeof ActionBody>;

/** Which fields each action takes (required first); anything else in the body is refused. */
const FIELDS: Record<
  AlertCommand['action'],
  { required: (keyof ActionBody)[]; optional: (keyof ActionBody)[] }
> = {
  received: { required: [], optional: [] },
  accept: { required: [], optional: [] },
  decline: { required: [], optional: ['reason'] },
  arrive: { required: [], optional: [] },
  resolve: { required: ['outcome'], optional: ['note'] },
  handover: { required: ['to'], optional: ['note'] },
  reassign: { required: ['to'], optional: ['note'] },
  note: { required: ['text'], optional: [] },
};

/** The body as the one command type, or a clear `invalid-request` naming the field. */
function toCommand(alertId: number, body: ActionBody): AlertCommand {
  const action = body.action as AlertCommand['action'];
  const { required, optional } = FIELDS[action];
  for (const field of required)
    if (body[field] === undefined)
      throw new AlertError('invalid-request', `body/${field}: required for ${action}`);
  for (const field of Object.keys(body) as (keyof ActionBody)[])
    if (field !== 'action' && !required.includes(field) && !optional.includes(field))
      throw new AlertError('invalid-request', `body/${field}: not taken by ${action}`);
  return { alertId, ...body } as AlertCommand;
}

/**
 * Staff act on an alert from the console: decoded here, carried out by the one command path
 * (AlertCommands.execute, as handset replies are), recorded in the alert's audit trail with
 * `via: console`. The alert's own rules (owner, on shift, supervisor on shift) stay the command
 * path's; the console role adds one: reassigning needs the supervisor role.
 */
export const alertActionRoutes: FastifyPluginAsyncTypebox<{
  commands: Pick<AlertCommands, 'execute'>;
}> = async (app, { commands }) => {
  app.post(
    '/api/v1/alerts/:id/actions',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'Act on an alert',
        description:
          "accept, decline (reason?), arrive, resolve (outcome, note?), handover (to, note?), reassign (to, note?; supervisor role), note (text). As a logged-in staff member (a session): machine tokens may read alerts but not act on them, since an alert is owned by a person. Refusals are the command path's codes (not-owner, illegal-transition, not-on-shift, …).",
        tags: ['alerts'],
        params: AlertParams,
        body: ActionBody,
        response: {
          200: AlertSchema,
          ...ERROR_RESPONSES,
          ...AUTH_ERRORS.write,
          403: httpError(
            '`forbidden` (role too low, or a machine token), `csrf`, or a refusal of the command path (`not-owner`, `not-on-shift`, `not-supervisor`, …).',
          ),
          422: httpError('`unknown-staff`, `invalid-handover`.'),
        },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const id = inRange(req.params.id, 'params/id', 1, Number.MAX_SAFE_INTEGER);
      const command = toCommand(id, req.body);
      if (principal.kind !== 'session')
        throw new ApiError(
          'forbidden',
          "alert actions need a staff member's login: a machine token may only read",
        );
      if (command.action === 'reassign' && !hasRole(principal.role, 'supervisor'))
        throw new ApiError('forbidden', `reassigning needs the supervisor role; you are ${principal.role}`);
      const result = commands.execute({ kind: 'staff', id: principal.staffId, via: 'console' }, command);
      if (!result.ok) throw new AlertError(result.error.code, result.error.message);
      return result.alert;
    },
  );
};
