import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};
const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

/**
 * When an owner does not arrive after the reminders, the alert is taken back and escalates. The
 * next step is the first roster level not asked yet — and an owner who got the alert by a
 * reassignment (or by taking over a handover) was never "asked" at a step. Care home: the
 * supervisor gives Rose's SOS to Bob; his handset is in his locker; six minutes later the gateway
 * takes it back from Bob… and asks Bob, alone, for another 30 seconds before anyone else hears of it.
 */
describe('found by probing: an SOS taken back from an owner who did not arrive went back to her first', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('the next step after the take-back does not ask the owner who did not come on her own', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    const sam = await g.handset('sam');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    expect(await reply(sam, { action: 'reassign', alertId, to: 'bob' })).toMatchObject({ status: 'ok' });
    await bob.next(isAlert({ reason: 'reassigned', alertId }));
    // Bob never arrives: a reminder at 3 min, taken back at 6 min.
    await g.tick(360_000);
    const audit = g.gateway.context.alertStore.audit(alertId);
    expect(audit.at(-2)).toMatchObject({ action: 'returned', detail: { from: 'bob' } });
    const escalated = audit.at(-1)!;
    expect(escalated.action).toBe('escalated');
    expect(escalated.detail.to).not.toEqual(['bob']);
    expect(escalated.detail.to).toEqual(['carol']);
  });
});
