import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signature } from '../../src/webhook/signature.js';
import { settled } from '../helpers/fake-clock.js';
import { makeTempDir } from '../helpers/tmp.js';
import { webhookUnderTest } from './harness.js';
import { pagingServer, SECRET, verify } from './paging-server.js';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const page = { alertId: 42, event: 'alert.dispatched', body: { kind: 'sos', room: 'Room N1' } };
const file = () => join(makeTempDir('careedge-webhook-'), 'gateway.sqlite');

/** Lets real I/O run a while without moving fake time: a request that should not come has had its chance. */
const quietly = async () => {
  for (let i = 0; i < 10; i++) await settled();
  await new Promise((r) => setTimeout(r, 50));
};

describe('webhook deliveries over real HTTP (node:http paging system, fake clock)', () => {
  it('posts the JSON envelope with its delivery id, timestamp and a signature README’s check accepts', async () => {
    const s = await pagingServer();
    const w = await webhookUnderTest({ file: file(), url: s.url });
    const id = w.module.enqueue(page);
    await w.outcomesReach(1);

    const [r] = s.received;
    expect(r!.id).toBe(id);
    expect(r!.attempt).toBe(1);
    expect(r!.event).toBe('alert.dispatched');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['x-careedge-timestamp']).toBe(String(T0 / 1000));
    expect(r!.headers['x-careedge-signature']).toBe(signature(SECRET, T0 / 1000, r!.raw));
    expect(r!.verified).toBe(true);
    // The signature covers body and timestamp: either changed, the check fails.
    expect(verify(SECRET, r!.headers, Buffer.concat([r!.raw, Buffer.from(' ')]))).toBe(false);
    expect(verify(SECRET, { ...r!.headers, 'x-careedge-timestamp': String(T0 / 1000 + 1) }, r!.raw)).toBe(
      false,
    );
    expect(verify('another-secret-0123456789', r!.headers, r!.raw)).toBe(false);
    expect(r!.json).toEqual({
      id,
      event: 'alert.dispatched',
      alertId: 42,
      createdAt: '2026-11-23T10:00:00.000Z',
      data: { kind: 'sos', room: 'Room N1' },
    });

    expect(w.outcomes).toEqual([
      {
        deliveryId: id,
        alertId: 42,
        event: 'alert.dispatched',
        outcome: 'sent',
        attempt: 1,
        at: T0,
        status: 200,
      },
    ]);
    const row = w.module.delivery(id);
    expect(row).toMatchObject({
      state: 'delivered',
      attempts: 1,
      doneAt: T0,
      lastStatus: 200,
      lastError: null,
    });
    expect(row!.body.equals(r!.raw)).toBe(true);
    expect(await w.metric('careedge_webhook_attempts_total', { outcome: 'sent' })).toBe(1);
    expect(await w.metric('careedge_webhook_pending')).toBe(0);
    expect(w.warning()).toBeUndefined();
  });

  it('README’s receiver example, run as written, takes a real delivery and refuses it stale or altered', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const example = /## Webhook for paging systems[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toContain('export function fromCareEdge');
    const module = join(makeTempDir('careedge-readme-'), 'from-careedge.mjs');
    writeFileSync(module, example!);
    const { fromCareEdge } = (await import(pathToFileURL(module).href)) as {
      fromCareEdge: (secret: string, headers: object, raw: Buffer, nowS?: number) => boolean;
    };
    const s = await pagingServer();
    const w = await webhookUnderTest({ file: file(), url: s.url });
    w.module.enqueue(page);
    await w.outcomesReach(1);
    const { headers, raw } = s.received[0]!;
    expect(fromCareEdge(SECRET, headers, raw, T0 / 1000 + 2)).toBe(true);
    expect(fromCareEdge(SECRET, headers, raw, T0 / 1000 + 301)).toBe(false);
    expect(fromCareEdge(SECRET, headers, Buffer.from(raw.toString().replace('42', '43')), T0 / 1000)).toBe(
      false,
    );
    expect(fromCareEdge('another-secret-0123456789', headers, raw, T0 / 1000)).toBe(false);
  });

  it('500, then 503 with Retry-After, then 200: the same id and bytes each time, the Retry-After honoured', async () => {
    const s = await pagingServer();
    s.answer({ status: 500, body: 'database down' }, { status: 503, headers: { 'retry-after': '20' } });
    const w = await webhookUnderTest({ file: file(), url: s.url });
    const id = w.module.enqueue(page);
    await w.outcomesReach(1);
    // Full jitter (random fixed at 0.5) under the first ceiling, 1 s.
    expect(w.outcomes[0]).toMatchObject({
      outcome: 'failed',
      attempt: 1,
      status: 500,
      error: 'answered 500: database down',
      nextAttemptAt: T0 + 500,
    });
    await w.time.tick(499);
    await quietly();
    expect(s.received).toHaveLength(1);
    await w.time.tick(1);
    await w.outcomesReach(2);
    // The jitter would say 1 s; the endpoint asked for 20.
    expect(w.outcomes[1]).toMatchObject({
      outcome: 'failed',
      attempt: 2,
      status: 503,
      nextAttemptAt: T0 + 20_500,
    });
    await w.time.tick(19_999);
    await quietly();
    expect(s.received).toHaveLength(2);
    await w.time.tick(1);
    await w.outcomesReach(3);
    expect(w.outcomes[2]).toMatchObject({ outcome: 'sent', attempt: 3, at: T0 + 20_500 });

    expect(s.ids()).toEqual([id, id, id]);
    expect(s.received.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(s.received.every((r) => r.verified && r.raw.equals(s.received[0]!.raw))).toBe(true);
    expect(w.module.delivery(id)).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(await w.metric('careedge_webhook_attempts_total', { outcome: 'failed' })).toBe(2);
  });

  it('an endpoint that hangs is given up after timeoutS (fake time) and tried again', async () => {
    const s = await pagingServer();
    s.answer('hang');
    const w = await webhookUnderTest({ file: file(), url: s.url, webhook: { timeoutS: 5 } });
    const id = w.module.enqueue(page);
    await w.time.tick(0);
    await s.waitFor(1);
    await w.time.tick(4999);
    await quietly();
    expect(w.outcomes).toHaveLength(0);
    await w.time.tick(1);
    await w.outcomesReach(1);
    expect(w.outcomes[0]).toMatchObject({ outcome: 'failed', error: 'no answer within 5 s' });
    expect(w.warning()).toContain('failing (no answer within 5 s)');
    await w.time.tick(500);
    await w.outcomesReach(2);
    expect(w.outcomes[1]).toMatchObject({ outcome: 'sent', attempt: 2 });
    expect(s.ids()).toEqual([id, id]);
    expect(w.warning()).toBeUndefined();
  });

  it('connection refused is retried until the endpoint is back; the log says when it fails and when it recovers', async () => {
    const s = await pagingServer();
    await s.down();
    const w = await webhookUnderTest({ file: file(), url: s.url });
    const id = w.module.enqueue(page);
    await w.outcomesReach(1);
    expect(w.outcomes[0]).toMatchObject({ outcome: 'failed', error: 'no connection: ECONNREFUSED' });
    expect(w.warning()).toBe(
      `paging endpoint ${new URL(s.url).origin} failing (no connection: ECONNREFUSED)`,
    );
    await s.up();
    await w.time.tick(500);
    await w.outcomesReach(2);
    expect(w.outcomes[1]).toMatchObject({ outcome: 'sent', attempt: 2 });
    expect(s.ids()).toEqual([id]);
    expect(w.warning()).toBeUndefined();
    const log = w.lines.join('');
    expect(log).toContain('paging endpoint failing; retrying with backoff');
    expect(log).toContain('paging endpoint takes deliveries again');
  });

  it('a 400 is dead at once: kept with its error, listed, counted, logged, on /healthz; the next delivery still goes', async () => {
    const s = await pagingServer();
    s.answer({ status: 400, body: '{"error":"unknown service"}' });
    const w = await webhookUnderTest({ file: file(), url: s.url });
    const dead = w.module.enqueue(page);
    await w.outcomesReach(1);
    const error = 'answered 400: {"error":"unknown service"} (refused for good)';
    expect(w.outcomes[0]).toMatchObject({
      deliveryId: dead,
      outcome: 'dead',
      attempt: 1,
      status: 400,
      error,
    });
    expect(w.module.deadLetters()).toEqual([
      {
        id: dead,
        seq: 1,
        alertId: 42,
        event: 'alert.dispatched',
        attempts: 1,
        createdAt: T0,
        doneAt: T0,
        lastStatus: 400,
        lastError: error,
      },
    ]);
    expect(await w.metric('careedge_webhook_dead_letters')).toBe(1);
    expect(await w.metric('careedge_webhook_attempts_total', { outcome: 'dead' })).toBe(1);
    expect(w.warning()).toBe(`1 deliveries dead-lettered since start (last: ${error})`);
    expect(w.lines.find((l) => l.includes('dead-lettered'))).toContain(dead);

    const next = w.module.enqueue({ ...page, alertId: 43 });
    await w.outcomesReach(2);
    expect(w.outcomes[1]).toMatchObject({ deliveryId: next, outcome: 'sent' });
    await w.time.tick(600_000);
    await quietly();
    expect(s.ids()).toEqual([dead, next]); // the dead one is never sent again
  });

  it('408 and 429 are retried; a Retry-After of an hour waits 5 min, not an hour', async () => {
    const s = await pagingServer();
    s.answer({ status: 408 }, { status: 429, headers: { 'retry-after': '3600' } });
    const w = await webhookUnderTest({ file: file(), url: s.url });
    w.module.enqueue(page);
    await w.outcomesReach(1);
    expect(w.outcomes[0]).toMatchObject({ outcome: 'failed', status: 408 });
    await w.time.tick(500);
    await w.outcomesReach(2);
    expect(w.outcomes[1]).toMatchObject({
      outcome: 'failed',
      status: 429,
      nextAttemptAt: T0 + 500 + 300_000,
    });
    await w.time.tick(300_000);
    await w.outcomesReach(3);
    expect(w.outcomes[2]).toMatchObject({ outcome: 'sent', attempt: 3 });
  });

  it('after maxAttempts failures a delivery is dead, with its last error', async () => {
    const s = await pagingServer();
    s.answer({ status: 500 }, { status: 502 }, { status: 503 });
    const w = await webhookUnderTest({ file: file(), url: s.url, webhook: { maxAttempts: 3 } });
    const id = w.module.enqueue(page);
    await w.outcomesReach(1);
    await w.time.tick(500);
    await w.outcomesReach(2);
    await w.time.tick(1000);
    await w.outcomesReach(3);
    expect(w.outcomes.map((o) => o.outcome)).toEqual(['failed', 'failed', 'dead']);
    expect(w.outcomes[2]).toMatchObject({ status: 503, error: 'answered 503; gave up after 3 attempts' });
    expect(w.module.deadLetters().map((d) => [d.id, d.attempts, d.lastError])).toEqual([
      [id, 3, 'answered 503; gave up after 3 attempts'],
    ]);
    expect(w.warning()).toContain('1 deliveries dead-lettered since start');
    expect(w.warning()).toContain('failing (answered 503; gave up after 3 attempts)');
  });

  it('waits grow from 1 s, doubling, to a 5 min cap, with full jitter under each ceiling', async () => {
    const s = await pagingServer();
    s.answer(...Array.from({ length: 11 }, () => ({ status: 503 })));
    const w = await webhookUnderTest({
      file: file(),
      url: s.url,
      webhook: { maxAttempts: 12 },
      random: () => 0.999,
    });
    w.module.enqueue(page);
    const waits: number[] = [];
    for (let n = 1; n <= 11; n++) {
      await w.outcomesReach(n);
      const o = w.outcomes[n - 1]!;
      waits.push(o.nextAttemptAt! - o.at);
      await w.time.tick(o.nextAttemptAt! - o.at);
    }
    await w.outcomesReach(12);
    const ceilings = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map((s) => s * 1000);
    expect(waits).toEqual(ceilings.map((c) => Math.floor(0.999 * c)));
    expect(w.outcomes[11]).toMatchObject({ outcome: 'sent', attempt: 12 });
  });

  it('neither the secret nor the receiver’s token in the URL reaches the log', async () => {
    const s = await pagingServer();
    s.answer({ status: 500 }, { status: 401, body: 'bad signature' });
    const w = await webhookUnderTest({ file: file(), url: s.url });
    w.module.enqueue(page);
    await w.outcomesReach(1);
    await w.time.tick(500);
    await w.outcomesReach(2);
    const log = w.lines.join('');
    expect(log).toContain('webhook deliveries to the paging system');
    expect(log).toContain('dead-lettered');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain('receiver-token');
    expect(w.warning()).not.toContain('receiver-token');
  });
});
