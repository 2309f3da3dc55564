import { ErrorBody } from '@careedge/edge';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { ERROR_RESPONSES } from './schemas.js';

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

/**
 * What the API needs of the rules (rules/source.ts implements it; api/ may not import rules/).
 * `reload` validates the file first and keeps the last good rules when it is not valid.
 */
export interface RulesReloading {
  status(): RulesStatus;
  reload(): { ok: true; status: RulesStatus } | { ok: false; problems: string[] };
}

/** The rules in force and their reload. Unauthenticated, as the whole API, until the console brings logins. */
export const rulesRoutes: FastifyPluginAsyncTypebox<{ rules: RulesReloading }> = async (app, { rules }) => {
  app.get(
    '/api/v1/rules',
    {
      schema: {
        summary: 'The rules in force',
        tags: ['rules'],
        response: { 200: RulesStatus, 500: ERROR_RESPONSES[500] },
      },
    },
    async () => rules.status(),
  );
  app.post(
    '/api/v1/rules',
    {
      schema: {
        summary: 'Reload the rules file',
        description:
          'Reads and validates the rules file (it is also reloaded when it changes). Not valid: 400 with every problem, and the last good rules stay in force.',
        tags: ['rules'],
        response: { 200: RulesStatus, 400: RulesInvalid, 500: ERROR_RESPONSES[500] },
      },
    },
    async (_req, reply) => {
      const result = rules.reload();
      if (result.ok) return result.status;
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
