import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/api/plugins/access.js';
import { LOGIN_RATE } from '../../src/api/routes/auth/index.js';
import { AuthStore } from '../../src/auth/store.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { TEST_PASSWORD } from '../helpers/http.js';

// Logins, sessions, CSRF and the security headers, through inject() against a real gateway.
describe('console login over HTTP', () => {
  let g: TestGateway;
  let app: ReturnType<typeof buildHttpApi>;
  // Refusals from an address that keeps failing are held back on the gateway's clock: move it.
  const login = (staffId: string, password: string, on = app) =>
    g.whileTicking(on.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { staffId, password } }));
  const authAudit = () => new AuthStore(g.gateway.context.db).auditPage(0, 1000);

  beforeAll(async () => {
    g = await testGateway();
    // Sets passwords for the people below (and checks the login helper works).
    for (const id of ['alice', 'bob', 'dave', 'carol']) await (await g.console(id)).close();
    app = buildHttpApi(g.gateway.context);
  });
  afterAll(async () => {
    await app.close();
    await g.stop();
  });

  it('logs in: the session cookie is HttpOnly, SameSite=Strict, Path=/ (not Secure on plain HTTP); the body gives the CSRF token', async () => {
    const res = await login('alice', TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      staffId: 'alice',
      name: 'Alice Moss',
      role: 'staff',
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie.secure).toBeUndefined();
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` },
    });
    expect(me.json()).toEqual(res.json());
    expect(authAudit()).toContainEqual(expect.objectContaining({ actor: 'alice', action: 'login' }));
  });

  it('does not take X-Forwarded-Proto to mark the cookie Secure (a plain listener is plain)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { staffId: 'alice', password: TEST_PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    // No trustProxy: only the listener's own TLS (req.protocol) makes it Secure.
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)?.secure).toBeUndefined();
  });

  it('answers a wrong password and an unknown staff id identically (401 unauthenticated)', async () => {
    const wrong = await login('carol', 'not her password at all');
    const unknown = await login('nobody-here', 'not her password at all');
    const noPassword = await login('sam', 'not his password at all'); // sam has no console password
    for (const res of [wrong, unknown, noPassword]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'unauthenticated', message: 'the staff id or the password is wrong' },
      });
      expect(res.cookies).toEqual([]);
    }
  });

  it('locks a login out after repeated failures (429 login-locked with Retry-After), even with the right password, until the lock ends', async () => {
    const { sourceLockAfter, lockS } = g.config.logins;
    for (let i = 0; i < sourceLockAfter; i++)
      expect((await login('dave', `wrong guess ${i}!`)).statusCode).toBe(401);
    const locked = await login('dave', TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('login-locked');
    // The lock began at the failure that caused it; its refusal was held back a while since.
    const lockedAt = authAudit().find((r) => r.actor === 'dave' && r.action === 'locked-out')!.at;
    const left = lockedAt + lockS * 1000 - g.clock.now();
    expect(left).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBe(Math.ceil(left / 1000));
    // Another login from the same address is not locked.
    expect((await login('bob', TEST_PASSWORD)).statusCode).toBe(200);
    await g.tick(left);
    expect((await login('dave', TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('rate-limits logins per address (429 rate-limited with Retry-After), whatever the logins', async () => {
    const fresh = buildHttpApi(g.gateway.context);
    try {
      // Wrong passwords for one account with a cheap hash (then locked: no hash at all), so the
      // test does not wait for LOGIN_RATE.max full-cost scrypt checks.
      for (let i = 0; i < LOGIN_RATE.max; i++) await login('carol', `wrong guess ${i}!`, fresh);
      const res = await login('alice', TEST_PASSWORD, fresh);
      expect(res.statusCode).toBe(429);
      expect(res.json().error.code).toBe('rate-limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it('ends the session on logout: the cookie is cleared and no longer works; audited', async () => {
    const session = await g.console('bob', app);
    expect((await session.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    const out = await session.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    const after = await session.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthenticated');
    expect(authAudit()).toContainEqual(expect.objectContaining({ actor: 'bob', action: 'logout' }));
  });

  it('needs x-csrf-token with the session cookie to change anything: none or a wrong one is 403 csrf', async () => {
    const session = await g.console('alice', app);
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/alerts/1/actions',
        payload: { action: 'accept' },
        headers: { cookie: session.cookie, ...headers },
      });
    for (const headers of [{}, { [CSRF_HEADER]: 'x'.repeat(43) }, { [CSRF_HEADER]: 'short' }] as Record<
      string,
      string
    >[]) {
      const res = await post(headers);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf');
    }
    // With the token it reaches the command path (there is no alert 1: 404 from the catalogue).
    const ok = await post({ [CSRF_HEADER]: session.csrfToken });
    expect(ok.statusCode).toBe(404);
    expect(ok.json().error.code).toBe('alert-not-found');
    // Another session's token is not this session's.
    const bob = await g.console('bob', app);
    expect((await post({ [CSRF_HEADER]: bob.csrfToken })).json().error.code).toBe('csrf');
    // Reading needs none.
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/alerts', headers: { cookie: session.cookie } }))
        .statusCode,
    ).toBe(200);
  });

  it('needs no CSRF token with a bearer token (no ambient credential)', async () => {
    const admin = g.api('admin');
    try {
      const res = await admin.inject({ method: 'POST', url: '/api/v1/rules' });
      expect(res.statusCode).toBe(200);
    } finally {
      await admin.close();
    }
  });

  it.each(['/healthz', '/api/v1/alerts', '/api/v1/nothing'])(
    'sends the security headers (%s)',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
    },
  );
});
