import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

describe('the alarm path under faults and awkward sequences', () => {
  let g: TestGateway;
  let band: TestClient;
  let alice: TestClient;
  beforeEach(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    alice = await g.handset('alice');
  });
  afterEach(async () => {
    await g.stop();
  });

  const reply = async (h: TestClient, body: Record<string, unknown>) => {
    const sent = await h.send('staffReply', body);
    return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
  };

  it('a new SOS after a carer has been with the resident is a new alert, not a repeat', async () => {
    await band.send('deviceEvent', { type: 'sos' });
    const first = (await alice.next(isAlert())).payload.alertId as number;
    await reply(alice, { action: 'ack', alertId: first });
    await reply(alice, { action: 'arrived', alertId: first });
    await g.tick(6 * 3600_000); // the first was never resolved
    await band.send('deviceEvent', { type: 'sos' });
    const second = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId;
    expect(second).not.toBe(first);
    expect(g.alerts.get(first).count).toBe(1);
  });

  it('a call upgraded to an emergency call escalates on the high-priority timeout', async () => {
    const button = await g.device('btn-n1');
    await button.send('deviceEvent', { type: 'call' });
    const { alertId } = (await alice.next(isAlert({ priority: 'medium' }))).payload;
    await button.send('deviceEvent', { type: 'presence', on: true });
    await button.send('deviceEvent', { type: 'call' });
    expect((await alice.next(isAlert({ reason: 'update' }))).payload).toMatchObject({ priority: 'high' });
    await g.tick(30_000);
    expect(g.alerts.get(alertId as number).level).toBe(1);
  });

  // Accepting while off shift (not-on-shift) is tested on a roster with real shifts: shift-change.test.ts.
  it('accepting twice is fine, arrival twice too; a receipt from someone not asked is refused', async () => {
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(isAlert())).payload;
    expect(await reply(alice, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'arrived', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'arrived', alertId })).toMatchObject({ status: 'ok' });
    const dave = await g.handset('dave');
    expect(await reply(dave, { action: 'received', alertId })).toMatchObject({
      status: 'error',
      error: { code: 'not-dispatched-to-you' },
    });
    const audit = g.gateway.context.alertStore.audit(alertId as number).map((a) => a.action);
    expect(audit).toEqual(['raised', 'dispatched', 'acknowledged', 'attended']);
  });

  it('a supervisor can reassign an alert whose owner is unreachable', async () => {
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(isAlert())).payload;
    await reply(alice, { action: 'ack', alertId });
    const sam = await g.handset('sam');
    const bob = await g.handset('bob');
    expect(await reply(bob, { action: 'handover', alertId, to: 'bob' })).toMatchObject({
      error: { code: 'not-owner' },
    });
    expect(
      await reply(sam, { action: 'handover', alertId, to: 'bob', note: "Alice's handset is dead" }),
    ).toMatchObject({
      status: 'ok',
    });
    expect((await bob.next(isAlert({ reason: 'handover' }))).payload.ownerId).toBe('alice');
    expect(await reply(bob, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect(g.alerts.get(alertId as number).ownerId).toBe('bob');
    // The resident first heard Alice was coming; now they hear it is Bob.
    expect((await band.next(onTopic('reassure', { staffFirstName: 'Alice' }))).payload.kind).toBe(
      'help-coming',
    );
    expect((await band.next(onTopic('reassure', { staffFirstName: 'Bob' }))).payload.kind).toBe(
      'help-coming',
    );
    expect((await alice.next(onTopic('dispatch', { type: 'withdrawn' }))).payload.reason).toBe('handed-over');
  });

  it('a reset at the button withdraws an untaken call but not a taken call or an emergency call', async () => {
    const button = await g.device('btn-n1');
    const bob = await g.handset('bob');
    await button.send('deviceEvent', { type: 'call' });
    const mistaken = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    await button.send('deviceEvent', { type: 'cancel' }); // pressed by mistake, nobody took it yet
    expect((await alice.next(onTopic('dispatch', { type: 'withdrawn' }))).payload).toMatchObject({
      alertId: mistaken,
      reason: 'cancelled',
    });

    await button.send('deviceEvent', { type: 'call' });
    const taken = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    await reply(alice, { action: 'ack', alertId: taken });
    // Alice in the room sets presence and calls for help: an emergency call, to others than her.
    await button.send('deviceEvent', { type: 'presence', on: true });
    await button.send('deviceEvent', { type: 'call' });
    const emergency = (await bob.next(isAlert({ kind: 'emergency-call' }))).payload.alertId as number;
    await button.send('deviceEvent', { type: 'presence', on: false });
    await button.send('deviceEvent', { type: 'cancel' }); // the resident, with no staff presence set

    await band.send('deviceEvent', { type: 'sos' }); // handled after the cancel: a sync point
    await alice.next(isAlert({ kind: 'sos' }));
    expect(g.alerts.get(mistaken).state).toBe('cancelled');
    expect(g.alerts.get(taken).state).toBe('attended'); // presence counted as her arrival
    expect(g.alerts.get(emergency).state).toBe('dispatched');
    for (const id of [taken, emergency]) {
      expect(g.gateway.context.alertStore.audit(id).map((a) => a.action)).toContain('cancel-requested');
    }
  });
});
