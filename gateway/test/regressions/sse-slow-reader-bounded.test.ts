// found by probing: a console tab that stops reading (a frozen laptop, a stalled proxy) while alerts
// flood kept its event stream open, and every change was queued for it in the gateway's memory
// without bound (res.write ignored backpressure) — on a Pi, the road to the OOM killer for the
// alarm path. Now a stream whose unsent backlog passes a bound is ended; the browser reconnects
// with Last-Event-ID and catches up from the audit table (or resyncs).
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BACKLOG_BYTES } from '../../src/api/routes/events/index.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';
import { onTopic } from '../helpers/mqtt-client.js';
import { openStream } from '../helpers/sse-stream.js';

describe('an event stream whose client stops reading', () => {
  let g: TestGateway;
  let alice: AuthedApi & { cookie: string };
  let alertId: number;

  beforeAll(async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const handset = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    alertId = (await handset.next(onTopic('dispatch', { type: 'alert' }))).payload.alertId as number;
    alice = await g.console('alice');
  });
  afterAll(async () => {
    await alice.close();
    await g.stop();
  });

  it('is ended once its backlog passes the bound, while a reading stream keeps every change', async () => {
    const reader = await openStream(g, alice);
    await reader.until(() => reader.events().length === 1);
    // A raw socket that sends the request, then never reads again.
    const stalled: Socket = connect(g.gateway.httpPort, '127.0.0.1');
    stalled.on('error', () => {});
    await new Promise((r) => stalled.once('connect', r));
    stalled.write(`GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: ${alice.cookie}\r\n\r\n`);
    await new Promise((r) => stalled.once('data', r));
    stalled.pause();
    let closed = false;
    stalled.on('close', () => {
      closed = true;
    });
    expect(await g.metric('careedge_http_event_streams')).toBe(2);

    const ctx = g.gateway.context;
    const alert = ctx.alertStore.get(alertId)!;
    const detail = { text: 'x'.repeat(1000) };
    const flood = Math.ceil((8 * MAX_BACKLOG_BYTES) / 1000) + 2000;
    for (let i = 0; i < flood; i++) {
      ctx.bus.emit('alert:changed', {
        alert,
        previousState: alert.state,
        action: 'note',
        actor: { kind: 'staff', id: 'alice' },
        detail,
      } as never);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    for (let i = 0; i < 300 && (await g.metric('careedge_http_event_streams')) !== 1; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await g.metric('careedge_http_event_streams')).toBe(1);
    expect(await g.metric('careedge_http_event_streams_stalled_total')).toBe(1);
    await reader.until(() => reader.events().length === flood + 1);
    stalled.resume();
    for (let i = 0; i < 300 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(true);
    reader.close();
  });
});
