import { PROVISIONAL_ALERT_ID_BASE } from '@careedge/edge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

// Reassign and note, over MQTT from real handsets: the supervisor (sam) moves an alert, anyone
// involved adds to its audit trail. The other commands are covered by ownership/escalation tests.
const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });
const isWithdrawal = (fields: Record<string, unknown> = {}) =>
  onTopic('dispatch', { type: 'withdrawn', ...fields });

const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

describe('commands from handsets: reassign and note', () => {
  let g: TestGateway;
  let band: TestClient;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  let dave: TestClient;
  let sam: TestClient;
  beforeEach(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    alice = await g.handset('alice');
    bob = await g.handset('bob');
    carol = await g.handset('carol');
    dave = await g.handset('dave');
    sam = await g.handset('sam');
  });
  afterEach(async () => {
    await g.stop();
  });

  const raised = async () => {
    await band.send('deviceEvent', { type: 'sos' });
    return (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
  };
  const acceptedByAlice = async () => {
    const alertId = await raised();
    expect(await reply(alice, { action: 'ack', alertId })).toMatchObject({ status: 'ok' });
    return alertId;
  };
  const audit = (alertId: number) => g.gateway.context.alertStore.audit(alertId);

  it('a supervisor reassigns an owned alert at once: the new owner gets it, the old one a withdrawal', async () => {
    const alertId = await acceptedByAlice();
    await g.tick(100_000);
    expect(
      await reply(sam, { action: 'reassign', alertId, to: 'bob', note: 'Alice does not answer' }),
    ).toEqual(expect.objectContaining({ status: 'ok', action: 'reassign', alertId }));
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'acknowledged', ownerId: 'bob' });
    expect((await bob.next(isAlert({ reason: 'reassigned' }))).payload).toMatchObject({
      alertId,
      ownerId: 'bob',
    });
    expect((await alice.next(isWithdrawal())).payload).toMatchObject({
      alertId,
      reason: 'reassigned',
      byStaffId: 'bob',
    });
    expect(audit(alertId).at(-1)).toMatchObject({
      actor: 'staff:sam',
      action: 'reassigned',
      detail: { from: 'alice', to: 'bob', note: 'Alice does not answer' },
    });
    // Bob gets the full time to arrive, counted from the reassignment; Alice can do nothing more.
    await g.tick(179_999);
    expect(audit(alertId).some((a) => a.action === 'reminded')).toBe(false);
    await g.tick(1);
    expect((await bob.next(isAlert({ reason: 'reminder' }))).payload.alertId).toBe(alertId);
    expect(await reply(alice, { action: 'arrived', alertId })).toMatchObject({
      error: { code: 'not-owner' },
    });
    expect(await reply(bob, { action: 'arrived', alertId })).toMatchObject({ status: 'ok' });
  });

  it('a supervisor assigns an alert nobody took: it is owned at once and withdrawn from those asked', async () => {
    const alertId = await raised();
    expect(await reply(sam, { action: 'reassign', alertId, to: 'carol' })).toMatchObject({ status: 'ok' });
    expect(g.alerts.get(alertId)).toMatchObject({ state: 'acknowledged', ownerId: 'carol' });
    expect((await carol.next(isAlert({ reason: 'reassigned' }))).payload.alertId).toBe(alertId);
    expect((await alice.next(isWithdrawal())).payload).toMatchObject({ alertId, reason: 'reassigned' });
    // The resident hears who is coming, as when someone accepts.
    expect((await band.next(onTopic('reassure', { kind: 'help-coming' }))).payload.staffFirstName).toBe(
      'Carol',
    );
  });

  it('a reassignment withdraws a handover still on offer', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(alice, { action: 'handover', alertId, to: 'carol' })).toMatchObject({ status: 'ok' });
    await carol.next(isAlert({ reason: 'handover' }));
    expect(await reply(sam, { action: 'reassign', alertId, to: 'bob' })).toMatchObject({ status: 'ok' });
    expect((await carol.next(isWithdrawal())).payload).toMatchObject({
      alertId,
      reason: 'handover-withdrawn',
    });
    expect(g.alerts.get(alertId)).toMatchObject({ ownerId: 'bob', handoverTo: null });
    expect(await reply(carol, { action: 'ack', alertId })).toMatchObject({
      error: { code: 'illegal-transition' },
    });
  });

  it('refuses a reassignment by a non-supervisor, to the owner, to someone unknown, or of a closed alert', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(alice, { action: 'reassign', alertId, to: 'bob' })).toMatchObject({
      status: 'error',
      error: { code: 'not-supervisor' },
    });
    expect(await reply(sam, { action: 'reassign', alertId, to: 'alice' })).toMatchObject({
      error: { code: 'invalid-handover' },
    });
    expect(await reply(sam, { action: 'reassign', alertId, to: 'zed' })).toMatchObject({
      error: { code: 'unknown-staff' },
    });
    expect(await reply(sam, { action: 'reassign', alertId: 999, to: 'bob' })).toMatchObject({
      error: { code: 'alert-not-found' },
    });
    expect(g.alerts.get(alertId).ownerId).toBe('alice');
    expect(await reply(alice, { action: 'arrived', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'resolve', alertId, outcome: 'assisted' })).toMatchObject({
      status: 'ok',
    });
    expect(await reply(sam, { action: 'reassign', alertId, to: 'bob' })).toMatchObject({
      error: { code: 'illegal-transition' },
    });
  });

  it('notes go into the audit trail from those involved and supervisors, also after the alert closed', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(alice, { action: 'note', alertId, text: 'Rose says she slipped' })).toMatchObject({
      status: 'ok',
      action: 'note',
    });
    expect(await reply(alice, { action: 'arrived', alertId })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'resolve', alertId, outcome: 'assisted' })).toMatchObject({
      status: 'ok',
    });
    expect(await reply(sam, { action: 'note', alertId, text: 'Daughter informed' })).toMatchObject({
      status: 'ok',
    });
    const notes = audit(alertId).filter((a) => a.action === 'noted');
    expect(notes.map((n) => [n.actor, n.detail.text, n.toState])).toEqual([
      ['staff:alice', 'Rose says she slipped', 'acknowledged'],
      ['staff:sam', 'Daughter informed', 'resolved'],
    ]);
    expect(g.alerts.get(alertId).state).toBe('resolved');
  });

  it('refuses a note from someone not involved, to an unknown or provisional alert', async () => {
    const alertId = await acceptedByAlice();
    expect(await reply(dave, { action: 'note', alertId, text: 'hello' })).toMatchObject({
      status: 'error',
      error: { code: 'not-involved' },
    });
    expect(await reply(alice, { action: 'note', alertId: 999, text: 'x' })).toMatchObject({
      error: { code: 'alert-not-found' },
    });
    expect(
      await reply(alice, { action: 'note', alertId: PROVISIONAL_ALERT_ID_BASE + 1, text: 'x' }),
    ).toMatchObject({ error: { code: 'alert-unrecorded' } });
    expect(audit(alertId).some((a) => a.action === 'noted')).toBe(false);
  });

  it('a note that fails its schema (empty) is refused and changes nothing', async () => {
    const alertId = await acceptedByAlice();
    await alice.send('staffReply', { action: 'note', alertId, text: '' });
    expect(await reply(alice, { action: 'note', alertId, text: 'ok' })).toMatchObject({ status: 'ok' });
    expect(
      audit(alertId)
        .filter((a) => a.action === 'noted')
        .map((a) => a.detail.text),
    ).toEqual(['ok']);
  });
});
