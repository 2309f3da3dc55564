import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });
const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

describe('found by probing: a presence press that repeats an earlier (seq, ts)', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * regressions/emergency-dedup fixed this class for alarms only. ingest.ts still drops any
   * non-alarm event whose (seq, ts) it saw in the last 10 minutes — including a care button's
   * `presence` after a power blip, when the button (no real-time clock) restarts seq and ts.
   * Alice answers Rose's call and presses presence on arrival: dropped, the gateway thinks nobody
   * is in the room. When she then presses the call button for help, it is a plain call that joins
   * her own accepted call: the "update" goes to Alice alone. The carer with a collapsed resident
   * calls for a second pair of hands and NOBODY else is told.
   */
  it("the carer's call for help after a presence press reaches another carer", async () => {
    g = await testGateway();
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    // Before the blip: a call, Alice comes (presence), resets (cancel) — all ordinary.
    await button.send('deviceEvent', { type: 'call' }, { seq: 0, ts: 1_000 });
    const first = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId: first })).toMatchObject({ status: 'ok' });
    await button.send('deviceEvent', { type: 'presence', on: true }, { seq: 1, ts: 1_001 });
    await button.send('deviceEvent', { type: 'cancel' }, { seq: 2, ts: 1_002 });
    await expect.poll(() => g.alerts.get(first).state).toBe('cancelled');
    await g.tick(3 * 60_000);

    // Power blip: seq and ts restart. Rose calls again; Alice accepts and presses presence.
    await button.send('deviceEvent', { type: 'call' }, { seq: 0, ts: 1_000 });
    const second = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId: second })).toMatchObject({ status: 'ok' });
    await button.send('deviceEvent', { type: 'presence', on: true }, { seq: 1, ts: 1_001 });
    await g.settled();
    // Rose has collapsed: Alice presses the call button for help.
    await button.send('deviceEvent', { type: 'call' }, { seq: 2, ts: 1_030 });
    await g.settled();
    await expect
      .poll(() => g.alerts.get(second).count > 1 || g.alerts.open().some((a) => a.kind === 'emergency-call'))
      .toBe(true);
    // Actual: the press joined Alice's own accepted call (count 2, state acknowledged); no emergency call.
    expect(g.alerts.open().filter((a) => a.kind === 'emergency-call')).toHaveLength(1);
    expect((await bob.next(isAlert({ kind: 'emergency-call' }), 1000)).payload).toMatchObject({
      priority: 'high',
    });
  });
});
