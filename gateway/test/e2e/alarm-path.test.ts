import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('alarm path end to end (real broker, real MQTT clients, SQLite file)', () => {
  let g: TestGateway;
  beforeEach(async () => {
    g = await testGateway();
  });
  afterEach(async () => {
    await g.stop();
  });

  it('SOS → dispatch to the zone responder → ack → reassurance → arrived → resolved, all audited', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');

    await band.send('deviceEvent', { type: 'sos' });
    const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
    expect(dispatch).toMatchObject({
      reason: 'new',
      kind: 'sos',
      priority: 'high',
      level: 0,
      count: 1,
      residentId: 'r1',
      residentName: 'Rose Tyler',
      homeRoom: 'Room N1', // where she lives: a wristband does not report where she is
      zone: 'North wing',
    });
    expect(dispatch.room).toBeUndefined();
    expect(dispatch.alertId).toBeTypeOf('number');
    const alertId = dispatch.alertId as number;

    await alice.send('staffReply', { action: 'received', alertId });
    const ack = await alice.send('staffReply', { action: 'ack', alertId });
    expect((await alice.next(onTopic('result', { transaction: ack.seq }))).payload).toMatchObject({
      status: 'ok',
      action: 'ack',
    });

    const reassure = (await band.next(onTopic('reassure'))).payload;
    expect(reassure).toMatchObject({ alertId, kind: 'help-coming', staffFirstName: 'Alice' });
    expect(reassure.text).toContain('Alice');

    const arrived = await alice.send('staffReply', { action: 'arrived', alertId });
    expect((await alice.next(onTopic('result', { transaction: arrived.seq }))).payload.status).toBe('ok');
    const resolve = await alice.send('staffReply', {
      action: 'resolve',
      alertId,
      outcome: 'assisted',
      note: 'helped up',
    });
    expect((await alice.next(onTopic('result', { transaction: resolve.seq }))).payload.status).toBe('ok');

    const alert = g.alerts.get(alertId);
    expect(alert).toMatchObject({
      state: 'resolved',
      ownerId: 'alice',
      outcome: 'assisted',
      note: 'helped up',
    });
    const audit = g.gateway.context.alertStore.audit(alertId);
    expect(audit.map((a) => a.action)).toEqual([
      'raised',
      'dispatched',
      'received',
      'acknowledged',
      'attended',
      'resolved',
    ]);
    expect(audit.find((a) => a.action === 'acknowledged')?.actor).toBe('staff:alice');
    expect(audit[0]?.actor).toBe('device:wb-1');
  });

  it('joins a retransmitted SOS to its alert silently and a second SOS as a repeat, without a new dispatch', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const first = await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;

    // QoS 1 redelivery / device retry: same seq, same ts.
    await band.send('deviceEvent', { type: 'sos' }, { seq: first.seq, ts: first.ts });
    // The resident presses again: a new message.
    await band.send('deviceEvent', { type: 'sos' });
    const update = (await alice.next(onTopic('dispatch', { type: 'alert', reason: 'update' }))).payload;
    expect(update).toMatchObject({ alertId, count: 2, level: 0 });

    expect(g.alerts.open()).toHaveLength(1);
    expect(g.alerts.get(alertId as number).count).toBe(2);
    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result: 'duplicate' }),
    ).toBe(1);
    expect(g.gateway.context.alertStore.targets(alertId as number)).toHaveLength(1);
    const actions = g.gateway.context.alertStore.audit(alertId as number).map((a) => a.action);
    expect(actions).toEqual(['raised', 'dispatched', 'retransmitted', 'repeated']);
  });

  it('a care-button call is medium; a call while staff presence is set is a high emergency call; reset cancels it', async () => {
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');

    await button.send('deviceEvent', { type: 'call', source: 'button' });
    const call = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
    expect(call).toMatchObject({ kind: 'call', priority: 'medium' });
    await button.send('deviceEvent', { type: 'cancel' });
    expect((await alice.next(onTopic('dispatch', { type: 'withdrawn' }))).payload).toMatchObject({
      alertId: call.alertId,
      reason: 'cancelled',
    });
    expect(g.alerts.get(call.alertId as number).state).toBe('cancelled');

    await button.send('deviceEvent', { type: 'presence', on: true });
    await button.send('deviceEvent', { type: 'call', source: 'button' });
    const emergency = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
    expect(emergency).toMatchObject({ kind: 'emergency-call', priority: 'high' });
    expect(emergency.alertId).not.toBe(call.alertId);
  });

  it('refuses an illegal transition with a clear error and changes nothing', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'fall', confidence: 0.9 });
    const { alertId } = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;

    const resolve = await alice.send('staffReply', { action: 'resolve', alertId, outcome: 'assisted' });
    const result = (await alice.next(onTopic('result', { transaction: resolve.seq }))).payload;
    expect(result).toMatchObject({ status: 'error', error: { code: 'illegal-transition' } });
    expect((result.error as { message: string }).message).toMatch(
      /cannot resolve an alert that is dispatched/,
    );
    expect(g.alerts.get(alertId as number).state).toBe('dispatched');
  });
});
