import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';
import { onTopic } from '../helpers/mqtt-client.js';

// Ajv's coercion reads "1e309" as Infinity and lets it past `integer`, `minimum` and `maximum`:
// auditLimit=1e309 reached SQLite's LIMIT and answered 500, auditAfter=-1e309 passed `minimum: 0`.
describe('found by probing: a query number of 1e309 (Infinity) is an invalid request, not a 500', () => {
  let g: TestGateway;
  let api: AuthedApi;
  let alertId: number;

  beforeAll(async () => {
    g = await testGateway();
    api = g.api();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    alertId = (await alice.next(onTopic('dispatch', { type: 'alert', reason: 'new' }))).payload
      .alertId as number;
  });
  afterAll(async () => {
    await api.close();
    await g.stop();
  });

  it.each([
    ['auditLimit=1e309', 'querystring/auditLimit'],
    ['auditLimit=-1e309', 'querystring/auditLimit'],
    ['auditAfter=1e309', 'querystring/auditAfter'],
    ['auditAfter=-1e309', 'querystring/auditAfter'],
  ])('GET /api/v1/alerts/:id?%s: 400 naming %s', async (query, where) => {
    const res = await api.inject({ method: 'GET', url: `/api/v1/alerts/${alertId}?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining(where),
    });
  });

  it.each(['open', 'recent'])(
    'GET /api/v1/alerts?state=%s&limit=1e309: 400 naming querystring/limit',
    async (state) => {
      const res = await api.inject({ method: 'GET', url: `/api/v1/alerts?state=${state}&limit=1e309` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'invalid-request',
        message: expect.stringContaining('querystring/limit'),
      });
    },
  );
});
