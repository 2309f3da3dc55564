import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (reason: string) => onTopic('dispatch', { type: 'alert', reason });

describe('escalation with fake time (default timeouts: high 30 s)', () => {
  let g: TestGateway;
  let band: TestClient;
  let hs: Record<'alice' | 'bob' | 'carol' | 'dave' | 'sam', TestClient>;

  beforeEach(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    hs = {
      alice: await g.handset('alice'),
      bob: await g.handset('bob'),
      carol: await g.handset('carol'),
      dave: await g.handset('dave'),
      sam: await g.handset('sam'),
    };
  });
  afterEach(async () => {
    await g.stop();
  });

  const raiseSos = async () => {
    await band.send('deviceEvent', { type: 'sos' });
    return (await hs.alice.next(isAlert('new'))).payload.alertId as number;
  };

  it('goes responder 1 → responder 2 → nurse → supervisor → everyone, one timeout each, never early', async () => {
    const alertId = await raiseSos();
    const levelAfter = async (ms: number) => {
      await g.tick(ms);
      return g.alerts.get(alertId).level;
    };
    expect(await levelAfter(29_999)).toBe(0);
    expect(await levelAfter(1)).toBe(1);
    expect((await hs.bob.next(isAlert('escalation'))).payload).toMatchObject({ alertId, level: 1 });
    expect(await levelAfter(30_000)).toBe(2);
    expect((await hs.carol.next(isAlert('escalation'))).payload.level).toBe(2);
    expect(await levelAfter(30_000)).toBe(3);
    expect((await hs.sam.next(isAlert('escalation'))).payload.level).toBe(3);
    expect(await levelAfter(30_000)).toBe(4);
    // Everyone on shift, including the south-wing carer.
    for (const h of Object.values(hs)) expect((await h.next(isAlert('escalation'))).payload.level).toBe(4);
    // Past the last level it keeps asking everyone rather than giving up, one step each timeout.
    expect(await levelAfter(30_000)).toBe(5);
    expect((await hs.dave.next(isAlert('escalation'))).payload.level).toBe(5);
    const escalations = g.gateway.context.alertStore.audit(alertId).filter((a) => a.action === 'escalated');
    expect(escalations).toHaveLength(5);
    expect(escalations.at(-1)?.detail.to).toEqual(['alice', 'dave', 'bob', 'carol', 'sam']);
  });

  it('an acknowledgement stops the escalation and withdraws the alert from the others', async () => {
    const alertId = await raiseSos();
    await g.tick(30_000);
    await hs.bob.next(isAlert('escalation'));
    const ack = await hs.bob.send('staffReply', { action: 'ack', alertId });
    await hs.bob.next(onTopic('result', { transaction: ack.seq, status: 'ok' }));
    expect((await hs.alice.next(onTopic('dispatch', { type: 'withdrawn' }))).payload).toMatchObject({
      alertId,
      reason: 'taken',
      byStaffId: 'bob',
    });
    await g.tick(60_000);
    const alert = g.alerts.get(alertId);
    expect(alert).toMatchObject({ state: 'acknowledged', ownerId: 'bob', level: 1 });
    expect(g.gateway.context.alertStore.audit(alertId).filter((a) => a.action === 'escalated')).toHaveLength(
      1,
    );
  });

  it('escalates at once when everyone asked at the current level declines', async () => {
    const alertId = await raiseSos();
    const decline = await hs.alice.send('staffReply', {
      action: 'decline',
      alertId,
      reason: 'with another resident',
    });
    await hs.alice.next(onTopic('result', { transaction: decline.seq, status: 'ok' }));
    // No time has passed: the next responder already has it.
    expect((await hs.bob.next(isAlert('escalation'))).payload).toMatchObject({ alertId, level: 1 });
    expect(g.alerts.get(alertId).level).toBe(1);
  });

  it('a decline from someone who was not asked is refused', async () => {
    const alertId = await raiseSos();
    const decline = await hs.dave.send('staffReply', { action: 'decline', alertId });
    const result = (await hs.dave.next(onTopic('result', { transaction: decline.seq }))).payload;
    expect(result).toMatchObject({ status: 'error', error: { code: 'not-dispatched-to-you' } });
    expect(g.alerts.get(alertId).level).toBe(0);
  });

  it('sends an acknowledged alert again (owner and supervisor) when nobody arrives within attendTimeoutS', async () => {
    const alertId = await raiseSos();
    const ack = await hs.alice.send('staffReply', { action: 'ack', alertId });
    await hs.alice.next(onTopic('result', { transaction: ack.seq }));
    await g.tick(179_999);
    expect(g.gateway.context.alertStore.audit(alertId).some((a) => a.action === 'reminded')).toBe(false);
    await g.tick(1);
    expect((await hs.alice.next(isAlert('reminder'))).payload).toMatchObject({ alertId, ownerId: 'alice' });
    expect((await hs.sam.next(isAlert('reminder'))).payload.alertId).toBe(alertId);
    // Arrival stops the reminders.
    const arrived = await hs.alice.send('staffReply', { action: 'arrived', alertId });
    await hs.alice.next(onTopic('result', { transaction: arrived.seq, status: 'ok' }));
    await g.tick(600_000);
    expect(g.gateway.context.alertStore.audit(alertId).filter((a) => a.action === 'reminded')).toHaveLength(
      1,
    );
    // The supervisor who was reminded sees the alert withdrawn when it is resolved.
    const resolve = await hs.alice.send('staffReply', { action: 'resolve', alertId, outcome: 'assisted' });
    await hs.alice.next(onTopic('result', { transaction: resolve.seq, status: 'ok' }));
    expect((await hs.sam.next(onTopic('dispatch', { type: 'withdrawn' }))).payload).toMatchObject({
      alertId,
      reason: 'resolved',
    });
  });

  it('hands an owned alert over when the colleague accepts; only then is it theirs', async () => {
    const alertId = await raiseSos();
    const ack = await hs.alice.send('staffReply', { action: 'ack', alertId });
    await hs.alice.next(onTopic('result', { transaction: ack.seq }));
    const handover = await hs.alice.send('staffReply', {
      action: 'handover',
      alertId,
      to: 'carol',
      note: 'shift end',
    });
    await hs.alice.next(onTopic('result', { transaction: handover.seq, status: 'ok' }));
    // Offered, not yet taken: Alice still owns it.
    expect((await hs.carol.next(isAlert('handover'))).payload).toMatchObject({ alertId, ownerId: 'alice' });
    expect(g.alerts.get(alertId)).toMatchObject({ ownerId: 'alice', handoverTo: 'carol' });
    const take = await hs.carol.send('staffReply', { action: 'ack', alertId });
    await hs.carol.next(onTopic('result', { transaction: take.seq, status: 'ok' }));
    expect((await hs.alice.next(onTopic('dispatch', { type: 'withdrawn' }))).payload).toMatchObject({
      reason: 'handed-over',
      byStaffId: 'carol',
    });
    expect(g.alerts.get(alertId)).toMatchObject({ ownerId: 'carol', handoverTo: null });

    const stolen = await hs.alice.send('staffReply', { action: 'arrived', alertId });
    expect((await hs.alice.next(onTopic('result', { transaction: stolen.seq }))).payload).toMatchObject({
      status: 'error',
      error: { code: 'not-owner' },
    });
    expect(g.alerts.get(alertId).ownerId).toBe('carol');
  });
});
