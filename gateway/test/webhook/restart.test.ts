import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../helpers/fake-clock.js';
import { makeTempDir } from '../helpers/tmp.js';
import { webhookUnderTest } from './harness.js';
import { pagingServer } from './paging-server.js';

const page = (alertId: number) => ({ alertId, event: 'alert.dispatched', body: { alertId } });

describe('webhook deliveries across a restart (same SQLite file)', () => {
  it('stopped with deliveries queued and one in flight: after the restart all arrive, the one in flight again with its id', async () => {
    const file = join(makeTempDir('careedge-webhook-'), 'gateway.sqlite');
    const s = await pagingServer();
    s.answer('hang');
    const before = await webhookUnderTest({ file, url: s.url });
    const ids = [1, 2, 3].map((n) => before.module.enqueue(page(n)));
    await before.time.tick(0);
    await s.waitFor(1); // the first is in flight, the endpoint not answering
    await before.module.stop();
    before.db.close();
    expect(s.ids()).toEqual([ids[0]]);

    const after = await webhookUnderTest({ file, url: s.url, time: before.time });
    await after.until(() => s.received.length === 4, 'four requests');
    await after.outcomesReach(3);
    expect(s.ids()).toEqual([ids[0], ...ids]);
    expect(s.received[1]!.raw.equals(s.received[0]!.raw)).toBe(true);
    expect(s.received.map((r) => r.attempt)).toEqual([1, 2, 1, 1]);
    expect(after.outcomes.map((o) => [o.deliveryId, o.outcome])).toEqual(ids.map((id) => [id, 'sent']));
  });

  it('killed (its database closed with no stop) mid-attempt: nothing lost, the one in flight repeated once with the same id', async () => {
    const file = join(makeTempDir('careedge-webhook-'), 'gateway.sqlite');
    const s = await pagingServer();
    s.answer({ status: 503 }, 'hang');
    const killed = await webhookUnderTest({ file, url: s.url });
    const waiting = killed.module.enqueue(page(1));
    await killed.outcomesReach(1); // failed once, waiting to retry
    const inFlight = killed.module.enqueue(page(2));
    const queued = [3, 4, 5].map((n) => killed.module.enqueue(page(n)));
    await killed.time.tick(0);
    await s.waitFor(2);
    expect(s.ids()).toEqual([waiting, inFlight]);
    // The kill: the database goes away under the sender; its clock never moves again, and the
    // attempt in flight stays open until the endpoint drops it at the end of the test.
    killed.db.close();

    const later = fakeClock(killed.time.clock.now() + 60_000);
    const restarted = await webhookUnderTest({ file, url: s.url, time: later });
    const all = [waiting, inFlight, ...queued];
    await restarted.until(
      () => all.every((id) => restarted.module.delivery(id)?.state === 'delivered'),
      'all delivered',
    );
    const after = s.received.slice(2);
    expect(new Set(after.map((r) => r.id))).toEqual(new Set(all));
    expect(after).toHaveLength(5); // each once after the restart: nothing lost, nothing twice
    const repeat = after.find((r) => r.id === inFlight)!;
    expect(repeat.attempt).toBe(2); // the attempt cut short was counted before it went
    expect(repeat.raw.equals(s.received[1]!.raw)).toBe(true);
    expect(restarted.module.delivery(waiting)).toMatchObject({ attempts: 2 });
    expect(restarted.module.delivery(queued[0]!)).toMatchObject({ attempts: 1 });
    // The repeat and the first try were signed at their own times; both verify.
    expect(s.received.every((r) => r.verified)).toBe(true);
  });
});
