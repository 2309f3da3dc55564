import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_MS, REPLAY_LIMIT } from '../../src/api/routes/events/index.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';
import { openStream } from '../helpers/sse-stream.js';

describe('GET /api/v1/events (Server-Sent Events)', () => {
  let g: TestGateway;
  const base = () => `http://127.0.0.1:${g.gateway.httpPort}`;
  let band: TestClient;
  let alice: AuthedApi & { cookie: string };
  let alertId: number;

  beforeAll(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    const handset = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    alertId = (await handset.next(onTopic('dispatch', { type: 'alert' }))).payload.alertId as number;
    alice = await g.console('alice');
  });
  afterAll(async () => {
    await alice.close();
    await g.stop();
  });

  it('opens with a snapshot of the open alerts whose id is the newest audit entry, then sends each change', async () => {
    const s = await openStream(g, alice);
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.headers['content-security-policy']).toContain("default-src 'self'");
    await s.until(() => s.events().length === 1);
    const [snapshot] = s.events();
    expect(snapshot!.event).toBe('snapshot');
    expect(snapshot!.data.alerts!.map((a) => a.id)).toEqual([alertId]);
    expect(snapshot!.id).toBe(g.gateway.context.alertStore.lastAuditId());

    const accepted = await alice.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/actions`,
      payload: { action: 'accept' },
    });
    expect(accepted.statusCode).toBe(200);
    await s.until(() => s.events().some((e) => e.data.action === 'acknowledged'));
    const change = s.events().find((e) => e.data.action === 'acknowledged')!;
    expect(change).toMatchObject({ event: 'alert', data: { actor: 'staff:alice', alert: { id: alertId } } });
    const audit = g.gateway.context.alertStore.audit(alertId);
    expect(change.id).toBe(audit.find((e) => e.action === 'acknowledged')!.id);
    s.close();
  });

  it('replays the changes after Last-Event-ID from the audit table, in order', async () => {
    const before = g.gateway.context.alertStore.lastAuditId();
    await alice.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/actions`,
      payload: { action: 'arrive' },
    });
    await alice.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/actions`,
      payload: { action: 'note', text: 'sitting up' },
    });
    const s = await openStream(g, alice, { 'last-event-id': String(before) });
    await s.until(() => s.events().length >= 2);
    expect(s.events().map((e) => [e.event, e.data.action])).toEqual([
      ['alert', 'attended'],
      ['alert', 'noted'],
    ]);
    expect(s.events().every((e) => (e.id ?? 0) > before)).toBe(true);
    s.close();
  });

  it(`sends resync and a fresh snapshot when more than ${REPLAY_LIMIT} changes were missed`, async () => {
    const before = g.gateway.context.alertStore.lastAuditId();
    for (let i = 0; i <= REPLAY_LIMIT; i++) {
      await alice.inject({
        method: 'POST',
        url: `/api/v1/alerts/${alertId}/actions`,
        payload: { action: 'note', text: `note ${i}` },
      });
    }
    const s = await openStream(g, alice, { 'last-event-id': String(before) });
    await s.until(() => s.events().length >= 2);
    expect(s.events().map((e) => e.event)).toEqual(['resync', 'snapshot']);
    expect(await g.metric('careedge_http_event_stream_resyncs_total')).toBe(1);
    s.close();
  });

  it('refuses a malformed Last-Event-ID with a clear 400', async () => {
    const res = await alice.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { 'last-event-id': 'abc' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid-request');
  });

  it(`keeps the link alive with a comment every ${HEARTBEAT_MS / 1000} s of the gateway's clock`, async () => {
    const s = await openStream(g, alice);
    await s.until(() => s.events().length === 1);
    expect(s.text()).not.toContain(': heartbeat');
    await g.tick(HEARTBEAT_MS);
    await s.until(() => s.text().includes(': heartbeat'));
    s.close();
  });

  it('counts the open streams, and past 50 answers 503 streams-full with Retry-After', async () => {
    const streams = [];
    for (let i = 0; i < 50; i++) streams.push(await openStream(g, alice));
    expect(await g.metric('careedge_http_event_streams')).toBe(50);
    const refused = await fetch(`${base()}/api/v1/events`, { headers: { cookie: alice.cookie } });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('streams-full');
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(await g.metric('careedge_http_event_streams_refused_total')).toBe(1);
    for (const s of streams) s.close();
    for (let i = 0; i < 200; i++) {
      if ((await g.metric('careedge_http_event_streams')) === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await g.metric('careedge_http_event_streams')).toBe(0);
  });

  it('ends the stream when the session logs out', async () => {
    const bob = await g.console('bob');
    const s = await openStream(g, bob);
    await s.until(() => s.events().length === 1);
    // On the gateway's own listener, whose streams these are.
    const out = await fetch(`${base()}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie: bob.cookie, 'x-csrf-token': bob.csrfToken },
    });
    expect(out.status).toBeLessThan(300);
    await s.until(s.ended);
    const again = await openStream(g, bob);
    expect(again.status).toBe(401);
    await bob.close();
  });
});
