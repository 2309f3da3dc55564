import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Accounts, ConsolePrincipal } from '../../auth/accounts.js';
import { type ConsoleRole, hasRole } from '../../auth/roles.js';
import { ApiError } from '../errors.js';
import { shared } from './shared.js';

/** The console's session cookie (docs/design/console.md). */
export const SESSION_COOKIE = 'careedge_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Who may call a route, declared in its `config.access`: a role (and every role above it), or
 * `anyone` for the few routes that must answer without a login (login itself; health and metrics
 * for monitoring). A route that declares nothing is refused to everyone: default deny.
 */
export type Access = ConsoleRole | 'anyone';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Who the request acts as; null on an `anyone` route called without credentials. */
    principal: ConsolePrincipal | null;
    /** The session id from the cookie, when that is how it authenticated (logout ends it). */
    sessionId: string | null;
  }
}

/** The name an action is recorded under: `staff:<id>` for a session, `token:<name>` for a token. */
export const actorOf = (p: ConsolePrincipal): string =>
  p.kind === 'session' ? `staff:${p.staffId}` : `token:${p.name}`;

/** The principal of a request on a route that has a role; the guard has made sure there is one. */
export function principalOf(req: FastifyRequest): ConsolePrincipal {
  if (!req.principal) throw new ApiError('unauthenticated', 'log in first');
  return req.principal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Authentication and authorisation for every route, before its body is read: the principal from
 * `Authorization: Bearer` (a machine token) or else the session cookie; 401 `unauthenticated`
 * without a valid one, 403 `forbidden` when the route needs a higher role, and for a cookie
 * request that changes something, 403 `csrf` unless `x-csrf-token` is the session's token (a
 * bearer request carries no ambient credential a third-party page could borrow).
 */
export const access = shared(
  async (app: FastifyInstance, { accounts }: { accounts: Pick<Accounts, 'session' | 'token'> }) => {
    await app.register(cookie);
    app.decorateRequest('principal', null);
    app.decorateRequest('sessionId', null);

    app.addHook('onRequest', async (req) => {
      if (req.is404) return; // an unknown route is answered `not-found` for everyone
      const needed = req.routeOptions.config.access;
      const authorization = req.headers.authorization;
      if (authorization !== undefined) {
        const [scheme, token] = authorization.split(' ');
        req.principal = (scheme === 'Bearer' && token && accounts.token(token)) || null;
        if (!req.principal && needed !== 'anyone')
          throw new ApiError('unauthenticated', 'the bearer token is not valid (unknown or revoked)');
      } else {
        const sessionId = req.cookies[SESSION_COOKIE];
        const session = sessionId ? accounts.session(sessionId) : undefined;
        if (session) {
          req.principal = session;
          req.sessionId = sessionId!;
        }
      }
      if (needed === 'anyone') return;
      if (needed === undefined) {
        req.log.error({ url: req.routeOptions.url }, 'route declares no access: refused');
        throw new ApiError('forbidden', 'this route declares no role, so nobody may call it');
      }
      const principal = req.principal;
      if (!principal) throw new ApiError('unauthenticated', 'log in first (or send a bearer token)');
      if (!hasRole(principal.role, needed))
        throw new ApiError('forbidden', `this needs the ${needed} role; you are ${principal.role}`);
      if (principal.kind === 'session' && !SAFE_METHODS.has(req.method)) {
        const given = req.headers[CSRF_HEADER];
        if (typeof given !== 'string' || !sameSecret(given, principal.csrfToken))
          throw new ApiError('csrf', `send the session's token in the ${CSRF_HEADER} header`);
      }
    });
  },
);
