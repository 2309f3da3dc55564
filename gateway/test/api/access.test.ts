import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import type { Access } from '../../src/api/plugins/access.js';
import { CONSOLE_ROLES, type ConsoleRole } from '../../src/auth/roles.js';
import { ADMIN_ID, adminSite } from '../helpers/admin-site.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';

/** A logged-in member of the test site for each role. */
const PERSON: Record<ConsoleRole, string> = { staff: 'alice', supervisor: 'sam', admin: ADMIN_ID };
/**
 * Who may call each route (issue 10: staff act on alerts and read the register, supervisors also
 * reassign, admins also the rules and tokens). A route missing here, or declaring another access,
 * fails: a new route is a decision to write down.
 */
const EXPECTED: Record<string, Access> = {
  'GET /healthz': 'anyone',
  'GET /metrics': 'anyone',
  'GET /docs': 'anyone',
  'POST /api/v1/auth/login': 'anyone',
  'POST /api/v1/auth/logout': 'staff',
  'GET /api/v1/auth/me': 'staff',
  'GET /api/v1/auth/tokens': 'admin',
  'POST /api/v1/auth/tokens': 'admin',
  'DELETE /api/v1/auth/tokens/:id': 'admin',
  'GET /api/v1/alerts': 'staff',
  'GET /api/v1/alerts/:id': 'staff',
  'POST /api/v1/alerts/:id/actions': 'staff',
  'GET /api/v1/zones': 'staff',
  'GET /api/v1/rooms': 'staff',
  'GET /api/v1/residents': 'staff',
  'GET /api/v1/devices': 'staff',
  'GET /api/v1/staff': 'staff',
  'GET /api/v1/roster': 'staff',
  'GET /api/v1/rules': 'staff',
  'GET /api/v1/rules/learning': 'staff',
  'GET /api/v1/feedback/happy-index': 'staff',
  'POST /api/v1/rules': 'admin',
  'GET /api/v1/events': 'staff',
  // The console's files: the login page must load before a login; the data behind it needs one.
  'GET /': 'anyone',
  'GET /console/*': 'anyone',
  'GET /console/vendor/htm-preact.mjs': 'anyone',
};
/** Routes that answer with a stream that stays open: read as a stream, then dropped. */
const STREAMING = new Set(['/api/v1/events']);

interface RouteSeen {
  method: HTTPMethods;
  url: string;
  access: Access | undefined;
}

/** Every route of the app as fastify registers it (HEAD twins included), with its declared access. */
async function everyRoute(g: TestGateway): Promise<RouteSeen[]> {
  const app = buildHttpApi(g.gateway.context);
  const seen: RouteSeen[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) seen.push({ method, url: r.url, access: r.config?.access });
  });
  await app.ready();
  await app.close();
  return seen;
}

const concrete = (url: string) => url.replace(/:\w+/g, '1');

describe('access to every route (table-driven, from the app itself)', () => {
  let g: TestGateway;
  let routes: RouteSeen[];
  const siteDir = mkdtempSync(join(tmpdir(), 'careedge-site-'));
  beforeAll(async () => {
    g = await testGateway({ siteFile: adminSite(siteDir) });
    routes = await everyRoute(g);
  });
  afterAll(async () => {
    await g?.stop();
    rmSync(siteDir, { recursive: true, force: true });
  });

  it('finds every route declaring who may call it, as the table says; only login, health and metrics are open', () => {
    for (const r of routes) {
      const key = `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;
      expect(r.access, `${r.method} ${r.url} declares no access`).toBeDefined();
      expect(r.access, `${r.method} ${r.url}`).toBe(EXPECTED[key]);
    }
    const seen = new Set(routes.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(EXPECTED).filter((k) => !seen.has(k))).toEqual([]);
  });

  it('answers 401 without credentials, 403 to a role too low, and neither to the role declared', async () => {
    // One app and one session per role (logins are rate-limited per address); logging out ends
    // a session, so that role logs in again.
    const app = buildHttpApi(g.gateway.context);
    const sessions = new Map<ConsoleRole, AuthedApi>();
    const session = async (role: ConsoleRole) => {
      if (!sessions.has(role)) sessions.set(role, await g.console(PERSON[role], app));
      return sessions.get(role)!;
    };
    const checked: string[] = [];
    try {
      for (const { method, url, access } of routes) {
        const where = `${method} ${url}`;
        const path = concrete(url);
        if (access === 'anyone' || access === undefined) continue;
        const none = await app.inject({ method, url: path });
        expect(none.statusCode, `${where} without credentials`).toBe(401);
        if (method !== 'HEAD') expect(none.json().error.code, where).toBe('unauthenticated');
        for (const role of CONSOLE_ROLES) {
          const streaming = STREAMING.has(url);
          const res = await (await session(role)).inject({ method, url: path, payloadAsStream: streaming });
          if (streaming) res.stream().destroy();
          if (CONSOLE_ROLES.indexOf(role) < CONSOLE_ROLES.indexOf(access)) {
            expect(res.statusCode, `${where} as ${role}`).toBe(403);
            if (method !== 'HEAD') expect(res.json().error.code, `${where} as ${role}`).toBe('forbidden');
          } else {
            expect([401, 403], `${where} as ${role}: ${res.body}`).not.toContain(res.statusCode);
            if (url === '/api/v1/auth/logout') sessions.delete(role);
          }
        }
        checked.push(where);
      }
    } finally {
      await app.close();
    }
    expect(checked).toContain('POST /api/v1/alerts/:id/actions');
    expect(checked).toContain('DELETE /api/v1/auth/tokens/:id');
    expect(checked).toContain('POST /api/v1/auth/logout');
  });

  it('answers the open routes without credentials', async () => {
    const bare = buildHttpApi(g.gateway.context);
    try {
      expect((await bare.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await bare.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      const login = await bare.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {} });
      expect(login.statusCode).toBe(400);
    } finally {
      await bare.close();
    }
  });

  it('treats a machine token by its role, and a revoked or unknown token as none', async () => {
    const staff = g.api('staff');
    const admin = g.api('admin');
    try {
      expect((await staff.inject({ method: 'GET', url: '/api/v1/alerts' })).statusCode).toBe(200);
      const reload = await staff.inject({ method: 'POST', url: '/api/v1/rules' });
      expect(reload.statusCode).toBe(403);
      expect(reload.json().error.message).toBe('this needs the admin role; you are staff');
      const bogus = await staff.app.inject({
        method: 'GET',
        url: '/api/v1/alerts',
        headers: { authorization: 'Bearer cet_nothing' },
      });
      expect(bogus.statusCode).toBe(401);
      // The staff token's id is the last one made before the admin's.
      const tokens = (await admin.inject({ method: 'GET', url: '/api/v1/auth/tokens' })).json().tokens;
      const staffToken = tokens.filter((t: { role: string }) => t.role === 'staff').at(-1);
      const revoked = await admin.inject({ method: 'DELETE', url: `/api/v1/auth/tokens/${staffToken.id}` });
      expect(revoked.statusCode).toBe(204);
      expect((await staff.inject({ method: 'GET', url: '/api/v1/alerts' })).statusCode).toBe(401);
    } finally {
      await staff.close();
      await admin.close();
    }
  });

  it('refuses a route that declares no role to everyone, admins included (default deny)', async () => {
    const app = buildHttpApi(g.gateway.context);
    app.get('/api/v1/undeclared', async () => ({ secret: true }));
    const token = g.gateway.context.accounts.createToken('undeclared-check', 'admin', 'test');
    if (!token.ok) throw new Error(token.problem);
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/undeclared',
        headers: { authorization: `Bearer ${token.token}` },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        error: { code: 'forbidden', message: 'this route declares no role, so nobody may call it' },
      });
    } finally {
      await app.close();
    }
  });
});
