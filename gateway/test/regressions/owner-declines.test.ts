import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};
const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

/**
 * A reassignment is not offered, it is given: the new owner never said yes, and everyone else had
 * the alert withdrawn. When Bob, given Rose's SOS by the supervisor, is himself kneeling by a
 * resident on the floor and presses "cannot go", the gateway answered `illegal-transition` and kept
 * the SOS with him: nobody else was asked until his attend timeout and the reminder ran out, six
 * minutes, while Rose had been told that Bob was on the way. The same for a carer who accepted and
 * is then called to something worse. The gateway is told the owner cannot go: the alert must go
 * back to dispatch at once, and the resident hear that help is delayed.
 */
describe('found by probing: the owner of an alert who cannot go could not give it back', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('a carer given an SOS by a reassignment declines: it is returned and escalates now', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    let bob = await g.handset('bob');
    const carol = await g.handset('carol');
    const sam = await g.handset('sam');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    expect(await reply(sam, { action: 'reassign', alertId, to: 'bob' })).toMatchObject({ status: 'ok' });
    await bob.next(isAlert({ reason: 'reassigned', alertId }));
    await band.next(onTopic('reassure', { kind: 'help-coming' }));

    expect(await reply(bob, { action: 'decline', alertId, reason: 'Harold is on the floor' })).toMatchObject({
      status: 'ok',
    });
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'dispatched', ownerId: null, level: 1 });
    expect((await bob.next(onTopic('dispatch', { type: 'withdrawn', alertId }))).payload.reason).toBe(
      'returned',
    );
    // The next step (Bob skipped, he just said no) is asked now, not in six minutes.
    expect((await carol.next(isAlert({ reason: 'escalation', alertId }))).payload.level).toBe(1);
    expect((await band.next(onTopic('reassure', { kind: 'delayed' }))).payload.alertId).toBe(alertId);
    const audit = g.gateway.context.alertStore.audit(alertId);
    expect(audit.find((a) => a.action === 'returned')).toMatchObject({
      actor: 'staff:bob',
      detail: { from: 'bob', reason: 'Harold is on the floor' },
    });
    // His handset reconnects: the SOS he gave back is not put back on his screen.
    await bob.close();
    bob = await g.handset('bob');
    expect(await reply(bob, { action: 'received', alertId })).toMatchObject({ status: 'ok' });
    expect(bob.drain().filter(isAlert())).toEqual([]);
  });

  it('a carer who accepted and has not arrived declines: it is returned; once arrived, she hands over', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'decline', alertId })).toMatchObject({ status: 'ok' });
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'dispatched', ownerId: null });
    await bob.next(isAlert({ reason: 'escalation', alertId }));

    expect(await reply(bob, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(bob, { action: 'arrived', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(bob, { action: 'decline', alertId })).toMatchObject({
      status: 'error',
      error: { code: 'illegal-transition' },
    });
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'attended', ownerId: 'bob' });
  });
});
