import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};
const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

/**
 * A reassignment takes effect at once: the alert is withdrawn from everyone else and the new owner
 * has the full time to arrive, plus the reminders, before it comes back. Given to a carer whose
 * handset has reported itself offline (dead battery, out of Wi-Fi), nobody is told: Rose's SOS
 * sat six minutes with a dead handset while Rose heard "Bob is on the way", and Alice, who was
 * asked and would have gone, had it withdrawn. The gateway knows the handset is offline; it must
 * refuse and say so, so the supervisor chooses someone reachable.
 */
describe('found by probing: a supervisor reassigns an SOS to a carer whose handset is offline', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('is refused with a clear code; the alert stays with those asked and escalates on time', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    const sam = await g.handset('sam');
    await bob.send('staffStatus', { state: 'offline' });
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;

    expect(await reply(sam, { action: 'reassign', alertId, to: 'bob' })).toMatchObject({
      status: 'error',
      error: { code: 'colleague-offline' },
    });
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'dispatched', ownerId: null });
    expect(band.drain().filter(onTopic('reassure'))).toEqual([]);
    expect(alice.drain().filter(onTopic('dispatch', { type: 'withdrawn' }))).toEqual([]);
    // Not accepted in 30 s: it moves on (past Bob, whose handset is offline) as any SOS does.
    await g.tick(30_000);
    expect(g.alerts.get(alertId).level).toBe(1);

    // Back online, Bob can be given it.
    await bob.send('staffStatus', { state: 'online' });
    expect(await reply(sam, { action: 'reassign', alertId, to: 'bob' })).toMatchObject({ status: 'ok' });
    expect(g.alerts.get(alertId).ownerId).toBe('bob');
  });
});
