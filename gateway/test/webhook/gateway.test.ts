import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { WebhookQueue } from '../../src/webhook/queue.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';
import { pagingServer, SECRET } from './paging-server.js';

async function gateway(webhook: Record<string, unknown>): Promise<TestGateway> {
  const g = await testGateway({ webhook: { enabled: true, ...webhook } });
  onTestFinished(() => g.stop());
  return g;
}

/** An SOS from Rose's band reaches Alice's handset: the alarm path works. */
async function sosReachesAlice(g: TestGateway): Promise<void> {
  const band = await g.device('wb-1');
  const alice = await g.handset('alice');
  await band.send('deviceEvent', { type: 'sos' });
  const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
  expect(dispatch).toMatchObject({ kind: 'sos', residentId: 'r1' });
}

describe('the webhook module in the gateway (app.ts)', () => {
  it('sends what is queued in the gateway database after a restart; a dead endpoint is a /healthz warning and leaves alarms alone', async () => {
    const s = await pagingServer();
    await s.down();
    const g = await gateway({ url: s.url, secret: SECRET });
    // Queued as the dispatch channel will, in the gateway's own database.
    new WebhookQueue(g.gateway.context.db, 100).add(
      { id: 'delivery-1', alertId: null, event: 'test.page', body: Buffer.from('{"n":1}') },
      g.clock.now(),
    );
    await g.restart();
    const healthz = async () =>
      (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).json() as Promise<{
        status: string;
        warnings?: { warning: string; reason: string }[];
      }>;
    await vi.waitFor(async () => {
      await g.tick(0);
      expect((await healthz()).warnings).toContainEqual(
        expect.objectContaining({ warning: 'webhook', reason: expect.stringContaining('ECONNREFUSED') }),
      );
    });
    expect((await healthz()).status).toBe('ok');
    await sosReachesAlice(g);

    await s.up();
    // To the retry exactly: fake time must not run on while the request is in flight (its timeout would fire).
    const retryAt = new WebhookQueue(g.gateway.context.db, 100).get('delivery-1')!.nextAt;
    await g.tick(retryAt - g.clock.now());
    await vi.waitFor(async () => {
      await g.tick(0);
      expect(s.ids()).toEqual(['delivery-1']);
    });
    expect(s.received[0]).toMatchObject({ attempt: 2, verified: true });
    expect(s.received[0]!.raw.toString()).toBe('{"n":1}');
    expect(await g.metric('careedge_webhook_attempts_total', { outcome: 'sent' })).toBe(1);
  });

  it('a secret file it cannot use keeps the webhook from starting, not the gateway', async () => {
    const s = await pagingServer();
    const secretFile = join(makeTempDir(), 'webhook.secret');
    writeFileSync(secretFile, 'too-short\n');
    const g = await gateway({ url: s.url, secretFile });
    await sosReachesAlice(g);
    expect(s.received).toEqual([]);
  });
});
