import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../../src/auth/store.js';
import { ADMIN_ID, adminSite } from '../helpers/admin-site.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';

// What admins do over HTTP, each audited with its actor: machine tokens, the rules reload.
describe('admin actions over HTTP', () => {
  let g: TestGateway;
  let ada: AuthedApi;
  const siteDir = mkdtempSync(join(tmpdir(), 'careedge-site-'));
  const audit = () => new AuthStore(g.gateway.context.db).auditPage(0, 1000);
  beforeAll(async () => {
    g = await testGateway({ siteFile: adminSite(siteDir) });
    ada = await g.console(ADMIN_ID);
  });
  afterAll(async () => {
    await ada.close();
    await g?.stop();
    rmSync(siteDir, { recursive: true, force: true });
  });

  it('creates a token shown once, lists it without the secret, revokes it; each audited as the admin', async () => {
    const made = await ada.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      payload: { name: 'pager', role: 'supervisor' },
    });
    expect(made.statusCode).toBe(201);
    const { id, token } = made.json();
    expect(made.json()).toEqual({
      id,
      name: 'pager',
      role: 'supervisor',
      token: expect.stringMatching(/^cet_/),
    });

    const me = g.gateway.context.accounts.token(token);
    expect(me).toMatchObject({ name: 'pager', role: 'supervisor' });
    const listed = (await ada.inject({ method: 'GET', url: '/api/v1/auth/tokens' })).json().tokens;
    expect(listed).toContainEqual({
      id,
      name: 'pager',
      role: 'supervisor',
      createdAt: g.clock.now(),
      createdBy: `staff:${ADMIN_ID}`,
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(token);

    const again = await ada.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      payload: { name: 'pager', role: 'staff' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toBe('body/name: a token "pager" exists already');

    expect((await ada.inject({ method: 'DELETE', url: `/api/v1/auth/tokens/${id}` })).statusCode).toBe(204);
    const twice = await ada.inject({ method: 'DELETE', url: `/api/v1/auth/tokens/${id}` });
    expect(twice.statusCode).toBe(404);
    expect(twice.json().error).toEqual({ code: 'not-found', message: `no live token ${id}` });
    expect(g.gateway.context.accounts.token(token)).toBeUndefined();

    expect(audit()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: `staff:${ADMIN_ID}`,
          action: 'token-created',
          subject: 'pager (supervisor)',
        }),
        expect.objectContaining({ actor: `staff:${ADMIN_ID}`, action: 'token-revoked', subject: String(id) }),
      ]),
    );
  });

  it('audits a rules reload with who asked (a token as token:<name>) and from where', async () => {
    const script = g.api('admin');
    try {
      const res = await script.inject({ method: 'POST', url: '/api/v1/rules' });
      expect(res.statusCode).toBe(200);
      const name = g.gateway.context.accounts.tokens().at(-1)!.name;
      expect(audit().at(-1)).toMatchObject({
        actor: `token:${name}`,
        action: 'rules-reloaded',
        subject: res.json().version,
        client: '127.0.0.1',
      });
      // With the session cookie too (and its CSRF token).
      expect((await ada.inject({ method: 'POST', url: '/api/v1/rules' })).statusCode).toBe(200);
      expect(audit().at(-1)).toMatchObject({ actor: `staff:${ADMIN_ID}`, action: 'rules-reloaded' });
    } finally {
      await script.close();
    }
  });
});
