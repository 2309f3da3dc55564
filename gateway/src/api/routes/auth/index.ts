import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Accounts, ConsolePrincipal } from '../../../auth/accounts.js';
import { CONSOLE_ROLES } from '../../../auth/roles.js';
import type { SiteRegister } from '../../../register/site-register.js';
import { ApiError } from '../../errors.js';
import { principalOf, SESSION_COOKIE } from '../../plugins/access.js';
import { AUTH_ERRORS, ERROR_RESPONSES } from '../../schemas.js';
import { tokenRoutes } from './tokens.js';

export interface AuthRoutesDeps {
  accounts: Pick<Accounts, 'login' | 'logout' | 'tokens' | 'createToken' | 'revokeToken'>;
  register: Pick<SiteRegister, 'staff'>;
}

/**
 * Logins per client address a minute, on top of the account lockout (auth/accounts.ts): the
 * lockout holds one login from one address, this holds an address trying many logins.
 */
export const LOGIN_RATE = { max: 30, timeWindow: 60_000 };

const Role = Type.Unsafe<(typeof CONSOLE_ROLES)[number]>({
  type: 'string',
  enum: [...CONSOLE_ROLES],
  description: 'staff (act on alerts), supervisor (also reassign), admin (also the rules, tokens, register).',
});

const LoginBody = Type.Object(
  {
    staffId: Type.String({ minLength: 1, maxLength: 64, description: 'Site file id of the staff member.' }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

const Me = Type.Object(
  {
    staffId: Type.Optional(Type.String({ description: 'The staff member (sessions only).' })),
    name: Type.String({ description: "The staff member's name, or the token's name." }),
    role: Role,
    csrfToken: Type.Optional(
      Type.String({
        description: 'Send it as `x-csrf-token` with every request that changes something (sessions only).',
      }),
    ),
  },
  { additionalProperties: false, description: 'Who is logged in.' },
);

/** Login, logout, who am I; and the machine tokens (admins). */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesDeps> = async (app, deps) => {
  const { accounts, register } = deps;
  const me = (p: ConsolePrincipal) =>
    p.kind === 'session'
      ? {
          staffId: p.staffId,
          name: register.staff(p.staffId)?.name ?? p.staffId,
          role: p.role,
          csrfToken: p.csrfToken,
        }
      : { name: p.name, role: p.role };

  await app.register(rateLimit, {
    global: false,
    // Answered from the catalogue like every other refusal (errors.ts).
    errorResponseBuilder: (_req, context) =>
      new ApiError('rate-limited', `too many logins from this address; try again in ${context.after}`, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
  });

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'anyone', rateLimit: LOGIN_RATE },
      schema: {
        summary: 'Log in to the console',
        description:
          'Sets the session cookie `careedge_session` (HttpOnly, SameSite=Strict, Secure over HTTPS). Every wrong combination of id and password gets the same 401; after repeated failures the login is locked from this address for a while (429 `login-locked` with Retry-After). Logins per address are also rate-limited (429 `rate-limited`).',
        tags: ['auth'],
        security: [],
        body: LoginBody,
        response: { 200: Me, 400: ERROR_RESPONSES[400], ...AUTH_ERRORS.login, 500: ERROR_RESPONSES[500] },
      },
    },
    async (req, reply) => {
      const { staffId, password } = req.body;
      const result = await accounts.login(staffId, password, req.ip);
      if (!result.ok && result.reason === 'locked') {
        const seconds = Math.max(1, Math.ceil(result.retryInMs / 1000));
        throw new ApiError('login-locked', `too many failed logins; try again in ${seconds} s`, {
          'retry-after': String(seconds),
        });
      }
      if (!result.ok) throw new ApiError('unauthenticated', 'the staff id or the password is wrong');
      void reply.setCookie(SESSION_COOKIE, result.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        path: '/',
      });
      return me({ kind: 'session', staffId: result.staffId, role: result.role, csrfToken: result.csrfToken });
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'Log out',
        description:
          'Ends the session and clears its cookie. With a bearer token it does nothing (revoke the token instead).',
        tags: ['auth'],
        response: {
          204: Type.Null({ description: 'Logged out.' }),
          ...AUTH_ERRORS.write,
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async (req, reply) => {
      if (req.sessionId) {
        accounts.logout(req.sessionId, req.ip);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'Who is logged in',
        description: 'The same body as the login: the console reads its CSRF token from here after a reload.',
        tags: ['auth'],
        response: { 200: Me, ...AUTH_ERRORS.read, 500: ERROR_RESPONSES[500] },
      },
    },
    async (req) => me(principalOf(req)),
  );

  await app.register(tokenRoutes, { accounts, Role });
};
