import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

/**
 * DIN VDE 0834: a call made while staff presence is set is an emergency call — the carer in the
 * room needs help. It must reach others than the carer, at high priority, at once.
 */
describe('emergency call from a room where a carer is present', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /** Alice has accepted a call in room N1 and sets the presence key there. */
  async function carerInRoom(priorityOfCall?: 'high') {
    g = await testGateway(priorityOfCall ? { rules: { priority: { call: priorityOfCall } } } : {});
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    await button.send('deviceEvent', { type: 'call' });
    const callId = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId: callId })).toMatchObject({ status: 'ok' });
    await button.send('deviceEvent', { type: 'presence', on: true });
    return { button, alice, bob, callId };
  }

  it('is a new high-priority alert for the others, not a repeat of the call the carer took', async () => {
    const { button, alice, bob, callId } = await carerInRoom();
    await button.send('deviceEvent', { type: 'call' });

    const emergency = (await bob.next(isAlert({ reason: 'new' }))).payload;
    expect(emergency).toMatchObject({ kind: 'emergency-call', priority: 'high', level: 0, room: 'Room N1' });
    expect(emergency.alertId).not.toBe(callId);
    // The taken call is unchanged; nobody was told of an "update" to it.
    expect(g.alerts.get(callId)).toMatchObject({ count: 1, kind: 'call' });
    expect(alice.drain().filter((m) => m.payload.reason === 'update')).toEqual([]);
    // The raise audit names who was left out, and it escalates on the high-priority timeout.
    const raised = g.gateway.context.alertStore.audit(emergency.alertId as number)[0];
    expect(raised?.detail.notAsked).toEqual(['alice']);
    await g.tick(30_000);
    expect(g.alerts.get(emergency.alertId as number).level).toBe(1);
  });

  it('setting presence is arrival for the accepted call in that room', async () => {
    const { callId } = await carerInRoom();
    await expect.poll(() => g.alerts.get(callId).state).toBe('attended');
    const attended = g.gateway.context.alertStore.audit(callId).find((a) => a.action === 'attended');
    expect(attended).toMatchObject({ actor: 'device:btn-n1', detail: { owner: 'alice' } });
    // No "nobody arrived" reminder follows.
    await g.tick(180_000);
    expect(g.gateway.context.alertStore.audit(callId).some((a) => a.action === 'reminded')).toBe(false);
  });

  it('is labelled an emergency call even when plain calls are already high priority', async () => {
    const { button, bob, callId } = await carerInRoom('high');
    await button.send('deviceEvent', { type: 'call' });
    const emergency = (await bob.next(isAlert({ reason: 'new' }))).payload;
    expect(emergency).toMatchObject({ kind: 'emergency-call', priority: 'high' });
    expect(g.alerts.get(callId).kind).toBe('call');
  });

  it('upgrades a call that nobody has accepted yet instead of opening a second alert', async () => {
    g = await testGateway();
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    await button.send('deviceEvent', { type: 'call' });
    const callId = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    await button.send('deviceEvent', { type: 'presence', on: true });
    await button.send('deviceEvent', { type: 'call' });
    expect((await alice.next(isAlert({ reason: 'update' }))).payload).toMatchObject({
      alertId: callId,
      kind: 'emergency-call',
      priority: 'high',
    });
    expect(g.alerts.open()).toHaveLength(1);
  });

  it('a presence key left set longer than its lifetime neither makes an emergency nor lets a reset close a taken call', async () => {
    g = await testGateway({ rules: { presenceLifetimeS: 600 } });
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    await button.send('deviceEvent', { type: 'presence', on: true });
    await g.tick(601_000); // forgotten
    await button.send('deviceEvent', { type: 'call' });
    const call = (await alice.next(isAlert({ reason: 'new' }))).payload;
    expect(call).toMatchObject({ kind: 'call', priority: 'medium' });
    expect(await reply(alice, { action: 'ack', alertId: call.alertId })).toMatchObject({ status: 'ok' });
    await button.send('deviceEvent', { type: 'cancel' });
    await button.send('deviceEvent', { type: 'call' }); // a second press, handled after the reset
    await alice.next(isAlert({ reason: 'update' }));
    expect(g.alerts.get(call.alertId as number).state).toBe('acknowledged');
  });
});
