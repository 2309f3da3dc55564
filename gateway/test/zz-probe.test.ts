import { afterAll, beforeAll, describe, it } from 'vitest';
import { buildHttpApi } from '../src/api/http.js';
import { type TestGateway, testGateway } from './helpers/gateway.js';
import { onTopic } from './helpers/mqtt-client.js';

describe('probe', () => {
  let g: TestGateway;
  let api: ReturnType<typeof buildHttpApi>;
  beforeAll(async () => {
    g = await testGateway();
    api = buildHttpApi(g.gateway.context);
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert', reason: 'new' }));
  });
  afterAll(async () => {
    await api.close();
    await g.stop();
  });
  it('probes', async () => {
    const show = async (method: string, url: string, extra: Record<string, unknown> = {}) => {
      const res = await api.inject({ method: method as 'GET', url, ...extra });
      console.log(
        method,
        url.slice(0, 80),
        '=>',
        res.statusCode,
        res.headers['content-type'],
        res.body.slice(0, 250).replace(/\n/g, '\\n'),
      );
    };
    for (const id of [
      '0',
      '-1',
      '1',
      '9007199254740993',
      '1e309',
      '1e20',
      '1.0',
      '1.5',
      '0x10',
      ' 1',
      '1%20OR%201=1',
      '%00',
      '99999999999999999999999',
      '2',
    ])
      await show('GET', `/api/v1/alerts/${id}`);
    for (const q of [
      'limit=100000',
      'limit=0',
      'limit=-1',
      'limit=abc',
      'limit=1&limit=2',
      'state=open&state=recent',
      'state=closed',
      'foo=bar',
      'state=recent&limit=1e3',
      'limit=',
      'state[]=open',
      `x=${'a'.repeat(100000)}`,
    ])
      await show('GET', `/api/v1/alerts?${q}`);
    await show('HEAD', '/api/v1/alerts/1');
    await show('OPTIONS', '/api/v1/alerts/1');
    await show('POST', '/api/v1/alerts/1', { payload: { a: 1 } });
    await show('DELETE', '/api/v1/alerts/1');
    await show('GET', '/api/v1/alerts/1', {
      payload: 'x'.repeat(10_000_000),
      headers: { 'content-type': 'application/json' },
    });
    await show('GET', '/api/v1/alerts/1', {
      payload: '{bad',
      headers: { 'content-type': 'application/json' },
    });
    await show('GET', '/api/v1/alerts/1', { payload: 'x', headers: { 'content-type': 'text/evil' } });
    await show('GET', `/${'a'.repeat(100000)}`);
    await show('GET', '/api/v1/alerts/1/../1');
    await show('GET', '/API/V1/ALERTS/1');
    await show('GET', '/api/v1/alerts/1/');
    await show('GET', '/api/v1/alerts//1');
    await show('GET', '/documentation/json');
    await show('GET', '/%ff%fe');
    await show('GET', '/api/v1/alerts/%E0%A4%A');
    // storage read-only
    g.gateway.context.db.pragma('query_only = 1');
    await show('GET', '/healthz');
    await show('GET', '/api/v1/alerts');
    const r = await api.inject({ method: 'GET', url: '/metrics' });
    console.log('metrics readonly', r.statusCode, r.body.length);
    g.gateway.context.db.pragma('query_only = 0');
    // closed db
  });
});
