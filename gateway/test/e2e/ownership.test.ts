import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

describe('an accepted alert keeps moving (defaults: attend 180 s, 1 reminder, resolve 1800 s)', () => {
  let g: TestGateway;
  let band: TestClient;
  let alice: TestClient;
  let bob: TestClient;
  let sam: TestClient;
  beforeEach(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    alice = await g.handset('alice');
    bob = await g.handset('bob');
    sam = await g.handset('sam');
  });
  afterEach(async () => {
    await g.stop();
  });

  const acceptedByAlice = async () => {
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    await band.next(onTopic('reassure', { kind: 'help-coming' }));
    return alertId;
  };

  it('an owner who never arrives (dead handset) loses the alert after the reminder; it escalates and the resident is told', async () => {
    const alertId = await acceptedByAlice();
    await g.tick(180_000);
    expect((await sam.next(isAlert({ reason: 'reminder' }))).payload.alertId).toBe(alertId);
    await g.tick(179_999);
    expect(g.alerts.get(alertId).state).toBe('acknowledged');
    await g.tick(1);
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'dispatched', ownerId: null, level: 1 });
    expect((await bob.next(isAlert({ reason: 'escalation' }))).payload).toMatchObject({ alertId, level: 1 });
    expect((await band.next(onTopic('reassure'))).payload).toMatchObject({ alertId, kind: 'delayed' });
    expect((await alice.next(onTopic('dispatch', { type: 'withdrawn' }))).payload).toMatchObject({
      alertId,
      reason: 'returned',
    });
    const actions = g.gateway.context.alertStore.audit(alertId).map((a) => a.action);
    expect(actions.slice(-3)).toEqual(['reminded', 'returned', 'escalated']);
    // Bob accepts: he owns it now, and the resident hears his name.
    expect(await reply(bob, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    expect((await band.next(onTopic('reassure', { kind: 'help-coming' }))).payload.staffFirstName).toBe(
      'Bob',
    );
  });

  it('an attended alert that is never closed reminds its owner and the supervisor, and again', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(alice, { action: 'arrived', alertId })).toMatchObject({ status: 'ok' });
    await g.tick(1_799_999);
    expect(g.gateway.context.alertStore.audit(alertId).some((a) => a.action === 'reminded')).toBe(false);
    await g.tick(1);
    expect((await alice.next(isAlert({ reason: 'reminder' }))).payload.alertId).toBe(alertId);
    expect((await sam.next(isAlert({ reason: 'reminder' }))).payload.alertId).toBe(alertId);
    await g.tick(1_800_000);
    expect(g.gateway.context.alertStore.audit(alertId).filter((a) => a.action === 'reminded')).toHaveLength(
      2,
    );
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'attended', ownerId: 'alice' });
  });

  it('a handover offered to a dead handset strands nothing: the owner keeps it until it is accepted', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(alice, { action: 'handover', alertId, to: 'carol' })).toMatchObject({ status: 'ok' });
    // Carol never answers; Alice is still the owner and still reminded.
    await g.tick(180_000);
    expect((await alice.next(isAlert({ reason: 'reminder' }))).payload.ownerId).toBe('alice');
    expect(await reply(bob, { action: 'ack', alertId })).toMatchObject({
      status: 'error',
      error: { code: 'illegal-transition' },
    });
  });

  it('a declined handover leaves the alert with its owner', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(alice, { action: 'handover', alertId, to: 'bob' })).toMatchObject({ status: 'ok' });
    await bob.next(isAlert({ reason: 'handover' }));
    expect(await reply(bob, { action: 'decline', alertId, reason: 'busy' })).toMatchObject({ status: 'ok' });
    expect(g.alerts.get(alertId)).toMatchObject({ ownerId: 'alice', handoverTo: null });
    expect(await reply(bob, { action: 'ack', alertId })).toMatchObject({
      status: 'error',
      error: { code: 'illegal-transition' },
    });
  });

  it('refuses a handover to the owner or to someone unknown, with the error code', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(alice, { action: 'handover', alertId, to: 'alice' })).toMatchObject({
      error: { code: 'invalid-handover' },
    });
    expect(await reply(alice, { action: 'handover', alertId, to: 'zed' })).toMatchObject({
      error: { code: 'unknown-staff' },
    });
    expect(g.alerts.get(alertId).handoverTo).toBeNull();
  });
});

describe('handsets that are offline and dispatches that fail', () => {
  let g: TestGateway;
  beforeEach(async () => {
    g = await testGateway();
  });
  afterEach(async () => {
    await g.stop();
  });

  it('skips a responder whose handset reported offline, at once', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    await alice.send('staffStatus', { state: 'offline' });
    await alice.send('staffStatus', { state: 'offline' }); // (in order: the first one is handled)
    await band.send('deviceEvent', { type: 'sos' });
    expect((await bob.next(isAlert({ reason: 'new' }))).payload.level).toBe(0);
  });

  it('escalates at once when everyone it waits for goes offline', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    await alice.send('staffStatus', { state: 'offline' }); // e.g. her last will
    expect((await bob.next(isAlert({ reason: 'escalation' }))).payload).toMatchObject({ alertId, level: 1 });
  });

  it('a publish that throws for one recipient stops neither the others nor the escalation', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    const link = g.gateway.context.mqtt;
    const publish = link.publish.bind(link);
    // Fault injection at the link (a socket error cannot be produced on demand here).
    link.publish = (channel, id, message, retain) => {
      if (id === 'alice') throw new Error('socket closed');
      publish(channel, id, message, retain);
    };
    await band.send('deviceEvent', { type: 'sos' });
    await expect.poll(() => g.alerts.open().length).toBe(1);
    const alertId = g.alerts.open()[0]!.id;
    await g.tick(30_000);
    expect((await bob.next(isAlert({ reason: 'escalation' }))).payload).toMatchObject({ alertId, level: 1 });
    expect(alice.drain().filter((m) => m.payload.alertId === alertId)).toEqual([]);
  });

  it('the sweep moves an open alert whose timer was never set', async () => {
    const bob = await g.handset('bob');
    // An alert committed without anybody scheduling it (as after a listener failure): written
    // straight into the gateway's database.
    const store = g.gateway.context.alertStore;
    const id = store.insert(
      { kind: 'sos', priority: 'high', deviceId: 'wb-1', residentId: 'r1', roomId: 'n1', zoneId: 'north' },
      g.fake.now,
    );
    store.update(id, { state: 'dispatched', deadlineAt: g.fake.now + 30_000 });
    store.addTarget(id, 0, 'alice', g.fake.now);
    await g.tick(45_000); // past the deadline, and past a 15 s sweep
    expect((await bob.next(isAlert({ reason: 'escalation' }))).payload).toMatchObject({
      alertId: id,
      level: 1,
    });
  });
});
