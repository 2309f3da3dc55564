import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });
const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

describe('found by probing: an emergency call whose (seq, ts) repeats an earlier press', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * A care button without a real-time clock (ts restarts) has a power blip while Alice is in the
   * room answering Rose's call. It restarts seq, so the carer's emergency press carries the same
   * (seq, ts) as the call Alice accepted. ingest marks it a "likely retransmission", and
   * AlertService.raise then widens joinStates to include `attended` — overriding the emergency
   * rule's joinStates ['raised','dispatched'] — so it is folded silently into Alice's own attended
   * call. Care home: the carer in the room calls for help and NOBODY is told.
   */
  it('a retransmission-looking emergency press still reaches another carer', async () => {
    g = await testGateway();
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    await button.send('deviceEvent', { type: 'call' }, { seq: 0, ts: 1_000 });
    const callId = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId: callId })).toMatchObject({ status: 'ok' });
    await button.send('deviceEvent', { type: 'presence', on: true }, { seq: 1, ts: 1_001 });
    await expect.poll(() => g.alerts.get(callId).state).toBe('attended');

    // Power blip: seq restarts, clock restarts; Alice presses for help (same seq, same ts).
    await button.send('deviceEvent', { type: 'call' }, { seq: 0, ts: 1_000 });
    const store = g.gateway.context.alertStore;
    const handled = () =>
      store.audit(callId).some((a) => a.action === 'retransmitted') ||
      g.alerts.open().some((a) => a.kind === 'emergency-call');
    await expect.poll(handled).toBe(true);
    // Expected: a new high-priority emergency call for the others. Actual: a 'retransmitted' note
    // on Alice's attended call, no alert, no message to anyone.
    expect(store.audit(callId).map((a) => a.action)).not.toContain('retransmitted');
    expect(g.alerts.open().filter((a) => a.kind === 'emergency-call')).toHaveLength(1);
    expect((await bob.next(isAlert({ kind: 'emergency-call' }))).payload).toMatchObject({ priority: 'high' });
  });

  /**
   * Same root cause for an SOS: Alice came, marked arrival and left without closing the alert yet
   * (she has resolveTimeoutS = 30 min to do so). Rose's band reboots (battery swap) and restarts
   * seq with its clock reset — the case the README names — and Rose presses SOS again. README:
   * "Once a carer has been with the resident, a new press is a new alert." Actual: the press looks
   * like a retransmission and joins the attended alert silently; nobody is asked.
   */
  it('a new SOS after arrival still raises an alert even if it repeats an earlier (seq, ts)', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' }, { seq: 0, ts: 1_000 });
    const first = (await alice.next(isAlert({ kind: 'sos' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId: first })).toMatchObject({ status: 'ok' });
    expect(await reply(alice, { action: 'arrived', alertId: first })).toMatchObject({ status: 'ok' });
    await g.tick(60_000);
    await band.send('deviceEvent', { type: 'sos' }, { seq: 0, ts: 1_000 }); // after the reboot
    const store = g.gateway.context.alertStore;
    await expect
      .poll(() => store.audit(first).some((a) => a.action === 'retransmitted') || g.alerts.open().length > 1)
      .toBe(true);
    expect(g.alerts.open().filter((a) => a.kind === 'sos' && a.id !== first)).toHaveLength(1);
  });
});
