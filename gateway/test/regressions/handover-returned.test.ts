import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });
const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

describe('found by probing: a handover offer when the owner loses the alert', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * Alice accepts Rose's SOS and offers it to Carol; Alice never arrives, so after the reminder the
   * alert is returned (reclaim clears handoverTo). Dispatcher.onChange('returned') withdraws it
   * only from Alice: Carol's screen still shows "Alice offers you Rose's SOS" for an offer that no
   * longer exists, and Carol is not among those asked. Care home: Carol believes Alice still has it
   * ("she'll come back to me"), the offer looks pending forever; no message ever tells her otherwise.
   */
  it('the offeree is told when the offered alert is taken back from the owner', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const carol = await g.handset('carol');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'handover', alertId, to: 'carol' })).toMatchObject({ status: 'ok' });
    await carol.next(isAlert({ reason: 'handover' }));
    await g.tick(180_000); // reminder
    await g.tick(180_000); // returned, escalates to Bob
    await expect.poll(() => g.alerts.get(alertId).state).toBe('dispatched');
    expect(g.alerts.get(alertId).handoverTo).toBeNull();
    // Alice's 'returned' withdrawal and any message to Carol are sent in the same loop; a reply
    // round trip with Carol afterwards makes sure anything sent to her has arrived.
    await alice.next(onTopic('dispatch', { type: 'withdrawn', reason: 'returned' }));
    await reply(carol, { action: 'received', alertId });
    const toCarol = carol
      .drain()
      .filter((m) => m.topic.endsWith('/dispatch') && m.payload.alertId === alertId);
    // Carol must hear that the offer is gone (withdrawn), or be asked again as a recipient.
    expect(toCarol).not.toEqual([]);
  });
});

describe('found by probing: a declined handover offer', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * Alice accepted Rose's SOS, then is held up with another resident and offers it to Carol. Carol
   * declines. The 'handover-declined' change sends nothing (Dispatcher.onChange: `break`), so Alice —
   * who offered precisely because she cannot go — is never told; she assumes Carol is on her way.
   * Care home: Rose waits until the attend reminder (180 s) and the return (360 s) before anyone
   * else is asked.
   */
  it('the owner is told at once when her handover offer is declined', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const carol = await g.handset('carol');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'handover', alertId, to: 'carol' })).toMatchObject({ status: 'ok' });
    await carol.next(isAlert({ reason: 'handover' }));
    expect(await reply(carol, { action: 'decline', alertId, reason: 'With another resident' })).toMatchObject(
      {
        status: 'ok',
      },
    );
    await reply(alice, { action: 'received', alertId }); // round trip: anything sent to Alice has arrived
    const toAlice = alice
      .drain()
      .filter((m) => m.topic.endsWith('/dispatch') && m.payload.alertId === alertId);
    expect(toAlice).not.toEqual([]);
  });
});
