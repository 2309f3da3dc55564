import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebhookRefused } from '../../src/webhook/webhook-module.js';
import { makeTempDir } from '../helpers/tmp.js';
import { webhookUnderTest } from './harness.js';
import { pagingServer } from './paging-server.js';

const page = (alertId: number) => ({ alertId, event: 'alert.dispatched', body: { alertId } });
const file = () => join(makeTempDir('careedge-webhook-'), 'gateway.sqlite');

/** What enqueue threw, as a WebhookRefused. */
function refusal(fn: () => unknown): WebhookRefused {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookRefused) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('the webhook table: bounded, never dropping a pending delivery', () => {
  it('full of pending deliveries it refuses the next (counted, on /healthz); once sent, the oldest finished make room', async () => {
    const s = await pagingServer();
    await s.down();
    const w = await webhookUnderTest({ file: file(), url: s.url, webhook: { maxQueued: 10 } });
    const ids = Array.from({ length: 10 }, (_, i) => w.module.enqueue(page(i + 1)));
    const r = refusal(() => w.module.enqueue(page(11)));
    expect(r.reason).toBe('full');
    expect(r.message).toBe('the webhook table holds 10 deliveries, every one still waiting');
    expect(await w.metric('careedge_webhook_refused_total', { reason: 'full' })).toBe(1);
    expect(await w.metric('careedge_webhook_pending')).toBe(10);
    expect(w.warning()).toContain('1 deliveries refused since start');
    expect(w.lines.find((l) => l.includes('webhook delivery refused'))).toBeDefined();

    await s.up();
    await w.time.tick(500); // every one failed once at T0 and waits 500 ms (jitter fixed at 0.5)
    await w.until(() => ids.every((id) => w.module.delivery(id)?.state === 'delivered'), 'all delivered');
    expect(s.ids().slice(-10)).toEqual(ids);

    const more = [w.module.enqueue(page(12)), w.module.enqueue(page(13))];
    expect(w.module.delivery(ids[0]!)).toBeUndefined();
    expect(w.module.delivery(ids[1]!)).toBeUndefined();
    expect(w.module.delivery(ids[2]!)).toMatchObject({ state: 'delivered' });
    expect(w.module.delivery(more[1]!)).toMatchObject({ state: 'pending' });
    expect(await w.metric('careedge_webhook_pruned_total')).toBe(2);
  });

  it('refuses, without writing, an event name or body it cannot send, and everything while disabled', async () => {
    const s = await pagingServer();
    const w = await webhookUnderTest({ file: file(), url: s.url });
    expect(refusal(() => w.module.enqueue({ alertId: 1, event: 'Alert Dispatched', body: {} })).reason).toBe(
      'invalid',
    );
    expect(
      refusal(() => w.module.enqueue({ alertId: 1, event: 'alert.raised', body: { n: 1n } })).reason,
    ).toBe('invalid');
    const big = refusal(() =>
      w.module.enqueue({ alertId: 1, event: 'alert.raised', body: 'x'.repeat(70_000) }),
    );
    expect(big.message).toMatch(/^the body is 70\d{3} bytes, more than 65536$/);
    expect(await w.metric('careedge_webhook_refused_total', { reason: 'invalid' })).toBe(3);
    expect(await w.metric('careedge_webhook_queued_total')).toBe(0);

    const off = await webhookUnderTest({ file: file(), url: s.url, webhook: { enabled: false } });
    const r = refusal(() => off.module.enqueue(page(1)));
    expect([r.reason, r.message]).toEqual(['disabled', 'the webhook is not enabled']);
    expect(off.module.deadLetters()).toEqual([]);
  });

  it('a clock stepped back an hour does not hold a waiting delivery for that hour', async () => {
    const s = await pagingServer();
    s.answer({ status: 503, headers: { 'retry-after': '300' } });
    const w = await webhookUnderTest({ file: file(), url: s.url });
    w.module.enqueue(page(1));
    await w.outcomesReach(1);
    expect(w.outcomes[0]!.nextAttemptAt! - w.outcomes[0]!.at).toBe(300_000);
    w.time.fake.setSystemTime(w.time.clock.now() - 3_600_000);
    await w.time.tick(300_000);
    await w.outcomesReach(2);
    expect(w.outcomes[1]).toMatchObject({ outcome: 'sent', attempt: 2 });
  });
});
