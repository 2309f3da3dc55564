// found by probing: with the SD card full or read-only, login, logout, creating or revoking a
// token and reloading the rules all answered 500 "the gateway could not answer this request",
// which tells the carer at the console nothing (retry? wrong password? call someone?). Now a write
// the storage refused says so, and that nothing was changed; nothing is half-done (a logout that
// could not be recorded leaves the session as it was), and everything works once storage does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { type AuthedApi, TEST_PASSWORD } from '../helpers/http.js';

const STORAGE = /storage refuses writes \(disk full or read-only\), so nothing was changed/;

describe('the HTTP API while SQLite refuses writes', () => {
  let g: TestGateway;
  let bob: AuthedApi;
  let admin: AuthedApi;

  beforeAll(async () => {
    g = await testGateway();
    await g.console('alice'); // sets her password
    bob = await g.console('bob');
    admin = g.api('admin');
  });
  afterAll(async () => {
    await bob.close();
    await admin.close();
    await g.stop();
  });

  it('says the storage refused the write, changes nothing, and works again afterwards', async () => {
    const db = g.gateway.context.db;
    const app = buildHttpApi(g.gateway.context);
    const login = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { staffId: 'alice', password: TEST_PASSWORD },
      });
    db.pragma('query_only = 1'); // every write fails, as on a card gone read-only
    try {
      const answers = {
        login: await login(),
        logout: await bob.inject({ method: 'POST', url: '/api/v1/auth/logout' }),
        token: await admin.inject({
          method: 'POST',
          url: '/api/v1/auth/tokens',
          payload: { name: 'wall', role: 'staff' },
        }),
        rules: await admin.inject({ method: 'POST', url: '/api/v1/rules' }),
      };
      for (const [what, res] of Object.entries(answers)) {
        expect(res.statusCode, what).toBe(500);
        expect(res.json().error.code, what).toBe('internal-error');
        expect(res.json().error.message, what).toMatch(STORAGE);
      }
      // The logout was not recorded: Bob's session is as it was, not half-ended.
      expect((await bob.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    } finally {
      db.pragma('query_only = 0');
    }
    expect((await login()).statusCode).toBe(200);
    expect((await bob.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBeLessThan(300);
    await app.close();
  });
});
