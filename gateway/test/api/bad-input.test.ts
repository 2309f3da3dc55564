import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';

// Bad input at every door of the API: a clear 4xx from the catalogue saying what and where,
// never a 500 or a stack trace.
describe('HTTP API: bad input', () => {
  let g: TestGateway;
  let api: AuthedApi;
  beforeAll(async () => {
    g = await testGateway();
    api = await g.console('sam');
  });
  afterAll(async () => {
    await api.close();
    await g.stop();
  });

  const expectError = async (
    req: Parameters<AuthedApi['inject']>[0],
    status: number,
    code: string,
    message?: string | RegExp,
  ) => {
    const res = await api.inject(req);
    expect(res.statusCode, res.body).toBe(status);
    const body = res.json();
    expect(body.error.code).toBe(code);
    if (message) expect(body.error.message).toMatch(message);
    expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
  };

  it.each([
    [{ staffId: 'sam', password: 'x', remember: true }, 'body: unknown property "remember"'],
    [{ staffId: 'sam' }, 'body/password: is required'],
    [{ staffId: { $ne: '' }, password: 'x' }, 'body/staffId: must be a string'],
    [{ staffId: ['sam'], password: 'x' }, 'body/staffId: must be a string'],
  ])('login with %j: 400 invalid-request (%s)', async (payload, message) => {
    await expectError(
      { method: 'POST', url: '/api/v1/auth/login', payload },
      400,
      'invalid-request',
      message,
    );
  });

  it.each([
    [{ action: 'explode' }, /body\/action: must be one of accept, decline/],
    [{ action: 'resolve' }, 'body/outcome: required for resolve'],
    [{ action: 'resolve', outcome: 5 }, /body\/outcome: must be one of/],
    [{ action: 'accept', to: 'bob' }, 'body/to: not taken by accept'],
    [{ action: 'accept', admin: true }, 'body: unknown property "admin"'],
    [{ action: 'note', text: 'x'.repeat(1001) }, 'body/text: must NOT have more than 1000 characters'],
    [{ action: 'reassign', to: { id: 'bob' } }, 'body/to: must be a string'],
  ])('alert action %j: 400 invalid-request', async (payload, message) => {
    await expectError(
      { method: 'POST', url: '/api/v1/alerts/1/actions', payload },
      400,
      'invalid-request',
      message,
    );
  });

  it('a body that is not JSON, or not an object: 400 invalid-request', async () => {
    await expectError(
      {
        method: 'POST',
        url: '/api/v1/alerts/1/actions',
        payload: '{"action":',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'invalid-request',
    );
    await expectError(
      { method: 'POST', url: '/api/v1/alerts/1/actions', payload: [1, 2] },
      400,
      'invalid-request',
    );
  });

  it('a 2 MB body: 413 payload-too-large', async () => {
    const payload = JSON.stringify({ action: 'note', text: 'x'.repeat(2 * 1024 * 1024) });
    await expectError(
      {
        method: 'POST',
        url: '/api/v1/alerts/1/actions',
        payload,
        headers: { 'content-type': 'application/json' },
      },
      413,
      'payload-too-large',
    );
  });

  it.each([
    ['/api/v1/alerts/1e309', 'params/id'],
    ['/api/v1/alerts/%2e%2e%2f', 'params/id'],
    ['/api/v1/alerts/-1', 'params/id'],
    ['/api/v1/alerts/1.5', 'params/id'],
    ['/api/v1/alerts/9007199254740993', 'params/id'],
    ['/api/v1/auth/tokens/1e309', 'params/id'],
  ])('an odd id %s: 400 invalid-request naming %s', async (url, where) => {
    const method = url.includes('tokens') ? 'DELETE' : 'GET';
    // sam is a supervisor; the token route needs an admin token
    const as = url.includes('tokens') ? g.api('admin') : api;
    try {
      const res = await as.inject({ method, url });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid-request',
        message: expect.stringContaining(where),
      });
    } finally {
      if (as !== api) await as.close();
    }
  });

  it.each([
    '/api/v1/alerts/..',
    '/api/v1/alerts/../../etc/passwd',
    '/api/v1/../healthz/x',
    '/api/v1/alerts/1/actions/../..',
  ])('a path with ../ (%s): a 4xx from the catalogue', async (url) => {
    const res = await api.inject({ method: 'GET', url });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(['not-found', 'invalid-request']).toContain(res.json().error.code);
  });

  it.each([
    ['/api/v1/alerts?colour=red', 'querystring: unknown property "colour"'],
    ['/api/v1/alerts?priority=urgent', /querystring\/priority: must be one of high, medium, low/],
    ['/api/v1/alerts?since=yesterday', 'querystring/since: must be a whole number'],
    ['/api/v1/alerts?until=1e309', 'querystring/until: must be <='],
    ['/api/v1/alerts?zone=../north', 'querystring/zone: must match'],
    ['/api/v1/alerts/1?auditLimit=2&x=1', 'querystring: unknown property "x"'],
  ])('GET %s: 400 invalid-request', async (url, message) => {
    await expectError({ method: 'GET', url }, 400, 'invalid-request', message);
  });

  it('counts every refusal by its code in careedge_http_refused_total', async () => {
    const before = await g.metric('careedge_http_refused_total', { code: 'invalid-request' });
    const unauthenticated = await g.metric('careedge_http_refused_total', { code: 'unauthenticated' });
    await api.inject({ method: 'GET', url: '/api/v1/alerts?colour=red' });
    await api.app.inject({ method: 'GET', url: '/api/v1/alerts' }); // no credentials
    expect(await g.metric('careedge_http_refused_total', { code: 'invalid-request' })).toBe(before + 1);
    expect(await g.metric('careedge_http_refused_total', { code: 'unauthenticated' })).toBe(
      unauthenticated + 1,
    );
  });

  it('token creation with a bad name or role: 400 invalid-request naming the field', async () => {
    const admin = g.api('admin');
    try {
      for (const [payload, where] of [
        [{ name: 'pager bridge', role: 'staff' }, 'body/name'],
        [{ name: 'pager', role: 'root' }, 'body/role'],
      ] as const) {
        const res = await admin.inject({ method: 'POST', url: '/api/v1/auth/tokens', payload });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.message).toContain(where);
      }
    } finally {
      await admin.close();
    }
  });
});
