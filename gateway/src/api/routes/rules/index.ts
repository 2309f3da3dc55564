import { ErrorBody } from '@careedge/edge';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { Accounts } from '../../../auth/accounts.js';
import { actorOf, principalOf } from '../../plugins/access.js';
import { AUTH_ERRORS, ERROR_RESPONSES } from '../../schemas.js';

const RulesStatus = Type.Object(
  {
    file: Type.String({ description: 'The rules file (its base name).' }),
    version: Type.String({ description: 'Content hash of the rules file, recorded on every alert.' }),
    rules: Type.Array(
      Type.Object({ id: Type.String(), kind: Type.String() }, { additionalProperties: false }),
      { description: 'The rules in force, in file order.' },
    ),
  },
  { additionalProperties: false, description: 'The rules in force.' },
);
export type RulesStatus = Static<typeof RulesStatus>;

const RulesInvalid = Type.Object(
  {
    error: ErrorBody,
    problems: Type.Array(Type.String(), { description: '`file:line: path: message`, one per problem.' }),
  },
  {
    additionalProperties: false,
    description: '`rules-invalid`: the file is not valid; the last good rules stay in force.',
  },
);

const Learned = Type.Union([Type.Literal('learning'), Type.Literal('ready')]);
const RuleLearningState = Type.Object(
  {
    ruleId: Type.String({ description: 'The rule (its id in the rules file).' }),
    kind: Type.String({ description: 'Its kind: inactivity or not-up.' }),
    status: Type.Union([Type.Literal('learning'), Type.Literal('ready')], {
      description: "ready: the resident's own baseline is used; learning: the kind's fixed fallback applies.",
    }),
    daysLearned: Type.Integer({
      minimum: 0,
      description: 'Days with enough worn readings, in the kept history.',
    }),
    daysNeeded: Type.Integer({
      minimum: 1,
      description: 'Learned days before the baseline is used (`minDays`).',
    }),
    expectedByHour: Type.Array(Type.Union([Type.Number(), Type.Null()]), {
      minItems: 24,
      maxItems: 24,
      description: 'Usual activity of each local hour 0–23 (null: not learned yet).',
    }),
    rising: Type.Object(
      {
        status: Learned,
        daysLearned: Type.Integer({ minimum: 0, description: 'Mornings with a rising time found.' }),
        daysNeeded: Type.Integer({ minimum: 1 }),
        usual: Type.Union([Type.String({ pattern: '^\\d\\d:\\d\\d$' }), Type.Null()], {
          description: 'Usual rising time, local HH:MM (null: still learning).',
        }),
      },
      { additionalProperties: false, description: 'The usual rising time (the not-up check).' },
    ),
  },
  { additionalProperties: false },
);
const RulesLearningBody = Type.Object(
  {
    residents: Type.Array(
      Type.Object(
        {
          residentId: Type.String({ description: 'Site file id.' }),
          rules: Type.Array(RuleLearningState, {
            description: 'The baseline rules in force that cover the resident.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "What the baseline rules (inactivity, not-up) have learned of each resident's rhythm.",
  },
);
export type RulesLearningBody = Static<typeof RulesLearningBody>;

/** What the API needs of the baseline rules' learning (rules/learning.ts implements it). */
export interface RulesLearning {
  residents(only?: string): RulesLearningBody['residents'];
}

/**
 * What the API needs of the rules (rules/source.ts implements it; api/ may not import rules/).
 * `reload` validates the file first and keeps the last good rules when it is not valid.
 */
export interface RulesReloading {
  status(): RulesStatus;
  reload(): { ok: true; status: RulesStatus } | { ok: false; problems: string[] };
}

/**
 * The rules in force and the baselines' learning (staff), and the reload (admins; audited in the
 * auth audit with who asked and what came of it).
 */
export const rulesRoutes: FastifyPluginAsyncTypebox<{
  rules: RulesReloading;
  learning: RulesLearning;
  audit: Pick<Accounts, 'recordAdminAction'>;
}> = async (app, { rules, learning, audit }) => {
  app.get(
    '/api/v1/rules/learning',
    {
      config: { access: 'staff' },
      schema: {
        summary: "The baseline rules' learning state per resident",
        description:
          'For each resident (or the one named) and each baseline rule that covers them: learning or ready, days learned and needed, usual activity per hour and the usual rising time. Read from the saved rule state, written every 5 minutes.',
        tags: ['rules'],
        querystring: Type.Object(
          { resident: Type.Optional(Type.String({ description: 'Only this resident (site file id).' })) },
          { additionalProperties: false },
        ),
        response: {
          200: RulesLearningBody,
          400: ERROR_RESPONSES[400],
          ...AUTH_ERRORS.read,
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async (req) => ({ residents: learning.residents(req.query.resident) }),
  );
  app.get(
    '/api/v1/rules',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'The rules in force',
        tags: ['rules'],
        response: { 200: RulesStatus, ...AUTH_ERRORS.read, 500: ERROR_RESPONSES[500] },
      },
    },
    async () => rules.status(),
  );
  app.post(
    '/api/v1/rules',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Reload the rules file',
        description:
          'Reads and validates the rules file (it is also reloaded when it changes). Not valid: 400 with every problem, and the last good rules stay in force.',
        tags: ['rules'],
        response: { 200: RulesStatus, 400: RulesInvalid, ...AUTH_ERRORS.write, 500: ERROR_RESPONSES[500] },
      },
    },
    async (req, reply) => {
      const result = rules.reload();
      const actor = actorOf(principalOf(req));
      if (result.ok) {
        audit.recordAdminAction(actor, 'rules-reloaded', result.status.version, req.ip);
        return result.status;
      }
      audit.recordAdminAction(actor, 'rules-reload-refused', `${result.problems.length} problems`, req.ip);
      return reply.status(400).send({
        error: {
          code: 'rules-invalid',
          message: 'the rules file is not valid; the last good rules stay in force',
        },
        problems: result.problems,
      });
    },
  );
};
