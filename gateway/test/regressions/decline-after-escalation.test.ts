import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};
const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

/**
 * An escalation no longer takes the alert from those asked first: it stays on their screens, is
 * re-sent when their handsets reconnect, and repeated presses go to them (dispatcher `stillAsked`).
 * But a decline was recorded only against the current step. Care home: Alice, asked first, sees
 * Rose's SOS still on her handset after it went on to Bob; she is with another resident and
 * presses "cannot go" — the gateway answers "not waiting for you", and every Wi-Fi drop and every
 * press of Rose's button brings the alarm back to her, burying the one she is dealing with. And
 * when she declined at the "everyone on shift" step, her first-step row still said "asked", so the
 * same happened.
 */
describe('found by probing: a decline counts for every step the carer was asked at', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('a carer asked at the first step can decline after the escalation, and is not asked again on reconnect', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    let alice = await g.handset('alice');
    const bob = await g.handset('bob');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    await g.tick(30_000);
    await bob.next(isAlert({ reason: 'escalation', alertId }));
    expect(g.alerts.get(alertId).level).toBe(1);

    expect(await reply(alice, { action: 'decline', alertId, reason: 'with Harold' })).toMatchObject({
      status: 'ok',
    });
    // Her decline does not move Bob's step on: he has not answered.
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'dispatched', level: 1 });

    // Her handset drops off Wi-Fi and comes back: Rose's alarm is not put back on her screen.
    await alice.close();
    alice = await g.handset('alice');
    // Rose presses again: the update goes to Bob, not to Alice.
    await band.send('deviceEvent', { type: 'sos' });
    await bob.next(isAlert({ reason: 'update', alertId }));
    expect(await reply(alice, { action: 'received', alertId })).toMatchObject({ status: 'ok' });
    expect(alice.drain().filter(isAlert())).toEqual([]);
  });

  it('a carer re-asked at a later step who declines there is not asked again on reconnect', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    let alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    // Alice, Bob, Carol, Sam, then everyone on shift (Alice again) at step 4.
    for (let step = 1; step <= 4; step++) {
      await g.tick(30_000);
      await expect.poll(() => g.alerts.get(alertId).level).toBe(step);
    }
    await alice.next(isAlert({ reason: 'escalation', alertId }));
    expect(await reply(alice, { action: 'decline', alertId })).toMatchObject({ status: 'ok' });

    await alice.close();
    alice = await g.handset('alice');
    expect(await reply(alice, { action: 'received', alertId })).toMatchObject({ status: 'ok' });
    expect(alice.drain().filter(isAlert())).toEqual([]);
  });
});
