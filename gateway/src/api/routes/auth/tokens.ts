import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type { Accounts } from '../../../auth/accounts.js';
import type { ConsoleRole } from '../../../auth/roles.js';
import { ApiError } from '../../errors.js';
import { inRange } from '../../params.js';
import { actorOf, principalOf } from '../../plugins/access.js';
import { AUTH_ERRORS, ERROR_RESPONSES } from '../../schemas.js';

const Token = (Role: TSchema) =>
  Type.Object(
    {
      id: Type.Integer({ minimum: 1 }),
      name: Type.String(),
      role: Role,
      createdAt: Type.Integer({ minimum: 0, description: 'Unix epoch milliseconds.' }),
      createdBy: Type.String({ description: '`cli`, `staff:<id>` or `token:<name>`.' }),
      revokedAt: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    },
    { additionalProperties: false },
  );

/** Machine tokens (a paging bridge, a script): listed, created (shown once) and revoked by admins. */
export const tokenRoutes: FastifyPluginAsyncTypebox<{
  accounts: Pick<Accounts, 'tokens' | 'createToken' | 'revokeToken'>;
  Role: TSchema;
}> = async (app, { accounts, Role }) => {
  app.get(
    '/api/v1/auth/tokens',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'The machine tokens',
        description:
          'Revoked ones included (with `revokedAt`); never the tokens themselves, which only their hashes are kept of.',
        tags: ['auth'],
        response: {
          200: Type.Object({ tokens: Type.Array(Token(Role)) }, { additionalProperties: false }),
          ...AUTH_ERRORS.read,
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async () => ({ tokens: accounts.tokens() }),
  );

  app.post(
    '/api/v1/auth/tokens',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create a machine token',
        description: 'The token is in this answer only: store it now.',
        tags: ['auth'],
        body: Type.Object(
          {
            name: Type.String({
              pattern: '^[A-Za-z0-9_-]{1,64}$',
              description: 'Unique; letters, digits, _ and -.',
            }),
            role: Role,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object(
            {
              id: Type.Integer({ minimum: 1 }),
              name: Type.String(),
              role: Role,
              token: Type.String({ description: 'Send as `Authorization: Bearer <token>`. Shown once.' }),
            },
            { additionalProperties: false },
          ),
          400: ERROR_RESPONSES[400],
          ...AUTH_ERRORS.write,
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async (req, reply) => {
      const { name, role } = req.body as { name: string; role: ConsoleRole };
      const made = accounts.createToken(name, role, actorOf(principalOf(req)));
      if (!made.ok) throw new ApiError('invalid-request', `body/${made.problem}`);
      return reply.status(201).send({ id: made.id, name, role, token: made.token });
    },
  );

  app.delete(
    '/api/v1/auth/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Revoke a machine token',
        tags: ['auth'],
        params: Type.Object(
          { id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
          { additionalProperties: false },
        ),
        response: {
          204: Type.Null({ description: 'Revoked.' }),
          400: ERROR_RESPONSES[400],
          404: ERROR_RESPONSES[404],
          ...AUTH_ERRORS.write,
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async (req, reply) => {
      const id = inRange((req.params as { id: number }).id, 'params/id', 1, Number.MAX_SAFE_INTEGER);
      if (!accounts.revokeToken(id, actorOf(principalOf(req))))
        throw new ApiError('not-found', `no live token ${id}`);
      return reply.status(204).send(null);
    },
  );
};
