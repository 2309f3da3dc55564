import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildHttpApi } from '../../src/api/http.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/api/plugins/access.js';
import type { GatewayContext } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import type { ConsoleRole } from '../../src/auth/roles.js';
import { AuthStore } from '../../src/auth/store.js';

/** An HTTP API of the gateway whose every inject() carries credentials. */
export interface AuthedApi {
  app: ReturnType<typeof buildHttpApi>;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Console password of every account `consoleLogin` sets up. */
export const TEST_PASSWORD = 'correct horse battery staple';

let tokens = 0;

/**
 * The gateway's HTTP API (built on its context, as app.ts builds it) with a fresh machine token
 * of `role` on every request: what tests of reading routes need. Acting on alerts needs a
 * person: consoleLogin().
 */
export function apiAs(ctx: GatewayContext, role: ConsoleRole): AuthedApi {
  const made = ctx.accounts.createToken(`test-${role}-${++tokens}`, role, 'test');
  if (!made.ok) throw new Error(made.problem);
  const app = buildHttpApi(ctx);
  const authorization = `Bearer ${made.token}`;
  return {
    app,
    inject: (opts) => app.inject({ ...opts, headers: { authorization, ...opts.headers } }),
    close: () => app.close(),
  };
}

/**
 * Sets `staffId`'s console password (hashed at scrypt's cheapest allowed cost, so tests stay fast;
 * the login checks it as any other) and logs in through the API: every inject() carries the
 * session cookie, and the CSRF token on requests that change something.
 */
export async function consoleLogin(
  ctx: GatewayContext,
  staffId: string,
  app = buildHttpApi(ctx),
): Promise<AuthedApi & { csrfToken: string; cookie: string }> {
  new AuthStore(ctx.db).setPassword(
    staffId,
    await hashPassword(TEST_PASSWORD, { N: 1024, r: 8, p: 1 }),
    ctx.clock.now(),
  );
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { staffId, password: TEST_PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`login of ${staffId} failed: ${res.statusCode} ${res.body}`);
  const session = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
  const cookie = `${SESSION_COOKIE}=${session.value}`;
  const { csrfToken } = res.json() as { csrfToken: string };
  return {
    app,
    cookie,
    csrfToken,
    inject: (opts) =>
      app.inject({
        ...opts,
        headers: {
          cookie,
          ...(['GET', 'HEAD', undefined].includes(opts.method as string) ? {} : { [CSRF_HEADER]: csrfToken }),
          ...opts.headers,
        },
      }),
    close: () => app.close(),
  };
}
