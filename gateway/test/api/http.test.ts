import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApi, type HttpApiDeps } from '../../src/api/http.js';
import { emptyHttpApiDeps } from '../../src/api/openapi.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';
import { onTopic } from '../helpers/mqtt-client.js';

// Every route through inject(), against a real gateway (broker, SQLite) with one SOS that Alice
// accepted; errors included. Archived alerts: gateway/test/alerts/archive.test.ts.
describe('HTTP API', () => {
  let g: TestGateway;
  let api: AuthedApi;
  let alertId: number;
  const get = (url: string) => api.inject({ method: 'GET', url });

  beforeAll(async () => {
    g = await testGateway();
    api = g.api('staff');
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    alertId = (await alice.next(onTopic('dispatch', { type: 'alert', reason: 'new' }))).payload
      .alertId as number;
    const sent = await alice.send('staffReply', { action: 'ack', alertId });
    await alice.next(onTopic('result', { transaction: sent.seq, status: 'ok' }));
  });
  afterAll(async () => {
    await api.close();
    await g.stop();
  });

  it('GET /healthz: 200 and ok while well', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', site: 'testsite', openAlerts: 1 });
  });

  it('GET /healthz: 503 with the problems while degraded', async () => {
    const { health } = g.gateway.context;
    health.set('clock', 'the clock went back');
    try {
      const res = await get('/healthz');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'degraded',
        problems: [{ problem: 'clock', reason: 'the clock went back', since: expect.any(Number) }],
      });
    } finally {
      health.clear('clock');
    }
  });

  it('GET /metrics: Prometheus text, not JSON', async () => {
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toMatch(/^# HELP careedge_/m);
    expect(res.body.startsWith('"')).toBe(false);
  });

  it('GET /api/v1/alerts: the open alerts, or the recent ones', async () => {
    const open = await get('/api/v1/alerts');
    expect(open.statusCode).toBe(200);
    expect(open.json()).toEqual({
      alerts: [
        expect.objectContaining({ id: alertId, state: 'acknowledged', ownerId: 'alice', kind: 'sos' }),
      ],
    });
    const recent = await get('/api/v1/alerts?state=recent&limit=1');
    expect(recent.json().alerts.map((a: { id: number }) => a.id)).toEqual([alertId]);
  });

  it.each([
    [
      '/api/v1/alerts?state=shut',
      'querystring/state: must be one of open, recent, closed, raised, dispatched, acknowledged, attended, resolved, cancelled (got "shut")',
    ],
    [
      '/api/v1/alerts?state=open&state=recent',
      'querystring/state: must be one of open, recent, closed, raised, dispatched, acknowledged, attended, resolved, cancelled (got a list)',
    ],
    ['/api/v1/alerts?limit=0', 'querystring/limit: must be >= 1'],
    ['/api/v1/alerts?limit=many', 'querystring/limit: must be a whole number (got "many")'],
  ])('GET %s: 400 invalid-request naming the parameter and what it may be', async (url, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid-request', message } });
  });

  it('GET /api/v1/alerts/:id: the alert, its targets and audit trail', async () => {
    const res = await get(`/api/v1/alerts/${alertId}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      alert: { id: alertId, state: 'acknowledged', ownerId: 'alice' },
      targets: [{ staffId: 'alice', level: 0 }],
      archived: false,
    });
    expect(body.audit.map((a: { action: string }) => a.action)).toEqual([
      'raised',
      'dispatched',
      'acknowledged',
    ]);
    expect(body.audit[2]).toMatchObject({
      actor: 'staff:alice',
      fromState: 'dispatched',
      toState: 'acknowledged',
    });
  });

  it('GET /api/v1/alerts/:id pages a long audit trail (auditLimit, auditAfter, auditNext)', async () => {
    const first = (await get(`/api/v1/alerts/${alertId}?auditLimit=2`)).json();
    expect(first.audit.map((a: { action: string }) => a.action)).toEqual(['raised', 'dispatched']);
    expect(first.auditNext).toBe(first.audit[1].id);
    const rest = (await get(`/api/v1/alerts/${alertId}?auditLimit=2&auditAfter=${first.auditNext}`)).json();
    expect(rest.audit.map((a: { action: string }) => a.action)).toEqual(['acknowledged']);
    expect(rest).not.toHaveProperty('auditNext');
    expect(rest.alert.id).toBe(alertId);
    const tooMany = await get(`/api/v1/alerts/${alertId}?auditLimit=5000`);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toBe('querystring/auditLimit: must be <= 1000');
  });

  it('GET /api/v1/alerts/:id of an unknown alert: 404 alert-not-found', async () => {
    const res = await get('/api/v1/alerts/999999');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'alert-not-found', message: 'alert 999999 does not exist' },
    });
  });

  it.each([
    ['abc', 'params/id: must be a whole number (got "abc")'],
    ['0', 'params/id: must be >= 1'],
  ])('GET /api/v1/alerts/%s: 400 invalid-request naming the parameter', async (id, message) => {
    const res = await get(`/api/v1/alerts/${id}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid-request', message } });
  });

  it('GET the register (zones, rooms, residents, devices, staff, roster), with no secret anywhere', async () => {
    const read = async (what: string) => {
      const res = await get(`/api/v1/${what}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(/secret|hash/i);
      return res.json()[what];
    };
    expect(await read('zones')).toEqual([
      { id: 'north', name: 'North wing' },
      { id: 'south', name: 'South wing' },
    ]);
    expect(await read('rooms')).toContainEqual({ id: 'n1', name: 'Room N1', zoneId: 'north' });
    expect(await read('residents')).toContainEqual({ id: 'r1', name: 'Rose Tyler', roomId: 'n1' });
    expect(await read('devices')).toContainEqual({ id: 'wb-1', kind: 'wristband', residentId: 'r1' });
    expect(await read('staff')).toContainEqual({
      id: 'sam',
      name: 'Sam Lake',
      firstName: 'Sam',
      role: 'supervisor',
    });
    expect(await read('roster')).toContainEqual(
      expect.objectContaining({ staffId: 'alice', zoneIds: ['north'], supervisor: false, rank: 1 }),
    );
  });

  it('an unknown route: 404 not-found', async () => {
    const res = await get('/api/v1/nothing?x=1');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not-found', message: 'no route GET /api/v1/nothing' } });
  });
});

describe('HTTP API: an unexpected failure', () => {
  it('is a 500 internal-error whose message hides the cause, which is logged', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const empty = emptyHttpApiDeps();
    const deps: HttpApiDeps = {
      ...empty,
      log: pino({ base: undefined }, sink),
      accounts: {
        ...empty.accounts,
        token: () => ({ kind: 'token', tokenId: 1, name: 'monitor', role: 'staff' }),
      },
      alertStore: {
        ...empty.alertStore,
        get: () => {
          throw new Error('SQLITE_IOERR: disk I/O error in /data/careedge.sqlite');
        },
      },
    };
    const api = buildHttpApi(deps);
    const res = await api.inject({
      method: 'GET',
      url: '/api/v1/alerts/7',
      headers: { authorization: 'Bearer cet_monitor' },
    });
    await api.close();
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: 'internal-error', message: 'the gateway could not answer this request; it is logged' },
    });
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; err?: { message: string } });
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: 'HTTP request failed',
        err: expect.objectContaining({ message: expect.stringContaining('SQLITE_IOERR') }),
      }),
    );
  });
});
