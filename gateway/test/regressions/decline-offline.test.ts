import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

describe('found by probing: everyone asked has declined except handsets that are offline', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * README: the gateway moves on "at once when everyone asked has declined, and at once when every
   * handset it waits for has reported itself offline". Mixed, it does neither: decline() counts the
   * offline handset as still waiting (allDeclined false), and skipIfNobodyOnline runs only on an
   * `offline` status event, not after a decline. Care home: at the "everyone on shift" step all
   * present carers say "cannot go", the one remaining handset is known to be dead, and Rose's SOS
   * still sits for the full timeout before the next step.
   */
  it('the last decline while the only other recipient is offline escalates at once', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const staff: Record<string, TestClient> = {};
    for (const id of ['alice', 'bob', 'carol', 'dave', 'sam']) staff[id] = await g.handset(id);
    await band.send('deviceEvent', { type: 'sos' });
    await expect.poll(() => g.alerts.open().length).toBe(1);
    const alertId = g.alerts.open()[0]!.id;
    // Nobody accepts: alice, bob, carol, sam, then everyone on shift (5 people) at level 4.
    for (let step = 1; step <= 4; step++) {
      await g.tick(30_000);
      await expect.poll(() => g.alerts.get(alertId).level).toBe(step);
    }
    const targets = () => g.gateway.context.alertStore.targets(alertId).filter((t) => t.level === 4);
    expect(
      targets()
        .map((t) => t.staffId)
        .sort(),
    ).toEqual(['alice', 'bob', 'carol', 'dave', 'sam']);
    // Dave's handset dies (its last will says offline) — he is still waited for.
    await staff.dave!.send('staffStatus', { state: 'offline' });
    await reply(staff.dave!, { action: 'received', alertId }); // round trip: the status was handled
    expect(g.alerts.get(alertId).level).toBe(4);
    for (const id of ['alice', 'bob', 'carol', 'sam']) {
      expect(await reply(staff[id]!, { action: 'decline', alertId })).toMatchObject({ status: 'ok' });
    }
    // Everyone reachable declined; the only one left is offline: expected to move on now.
    await expect.poll(() => g.alerts.get(alertId).level, { timeout: 2000 }).toBe(5);
  });
});
