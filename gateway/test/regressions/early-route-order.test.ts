import { topicFor } from '@careedge/edge';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });
const reply = async (h: TestClient, body: Record<string, unknown>) => {
  const sent = await h.send('staffReply', body);
  return (await h.next(onTopic('result', { transaction: sent.seq }))).payload;
};

let messageId = 60_000;
/** The bytes of a QoS 1 device event, written straight to the client's socket. */
const eventBytes = (c: TestClient, seq: number, body: Record<string, unknown>) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: topicFor('deviceEvent', c.siteId, c.id),
    payload: JSON.stringify({ seq, ts: Date.now(), ...body }),
    qos: 1,
    messageId: messageId++,
    retain: false,
    dup: false,
  });

/** Blocks this process (the gateway's too), so the gateway reads what was written in one turn. */
const spin = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {}
};

describe('found by probing: an alarm routed in its commit overtakes a message sent before it', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * A journaled alarm is routed to the gateway in the turn its journal commit lands, and its
   * commit is shared with every alarm read in that turn. A care button's `presence` (Alice has
   * arrived) and the `call` she presses next for help, read in a turn after another resident's
   * SOS: the call was routed with the SOS's commit, before the presence, which aedes routes only
   * after its PUBACK. The gateway saw a plain call from a room nobody was in, and it joined
   * Alice's own alert: the carer calling for a second pair of hands reached nobody but herself
   * (DIN VDE 0834: a call with staff presence set is an emergency call).
   */
  it("a call pressed right after presence, in another alarm's turn, is an emergency call", async () => {
    g = await testGateway();
    const button = await g.device('btn-n1');
    const band = await g.device('wb-3');
    const alice = await g.handset('alice');
    await button.send('deviceEvent', { type: 'call' }, { seq: 1 });
    const first = (await alice.next(isAlert({ kind: 'call' }))).payload.alertId as number;
    expect(await reply(alice, { action: 'ack', alertId: first })).toMatchObject({ status: 'ok' });
    await g.settled();
    // Another resident's SOS, then Alice's presence and call, all read in one turn.
    band.client.stream.write(eventBytes(band, 1, { type: 'sos' }));
    button.client.stream.write(eventBytes(button, 2, { type: 'presence', on: true }));
    spin(30);
    button.client.stream.write(eventBytes(button, 3, { type: 'call' }));
    spin(30);
    await expect.poll(() => g.alerts.open().some((a) => a.deviceId === 'wb-3')).toBe(true);
    await expect
      .poll(() => g.alerts.open().some((a) => a.kind === 'emergency-call' || (a.id === first && a.count > 1)))
      .toBe(true);
    expect(g.alerts.get(first).count, "the call for help joined Alice's own alert").toBe(1);
    expect(g.alerts.open().filter((a) => a.kind === 'emergency-call')).toHaveLength(1);
  });

  /**
   * The same overtaking within one device: a resident presses call by mistake, resets it, and
   * presses call again, in one TCP segment. Both calls share a commit and were routed in it; the
   * reset, not an alarm, only a turn later after its PUBACK. The reset then withdrew the call
   * pressed after it: the resident who did want help was left with no alert at all.
   */
  it('a call pressed again after a reset stays raised', async () => {
    g = await testGateway();
    const button = await g.device('btn-n1');
    await g.handset('alice');
    button.client.stream.write(
      Buffer.concat([
        eventBytes(button, 1, { type: 'call' }),
        eventBytes(button, 2, { type: 'cancel' }),
        eventBytes(button, 3, { type: 'call' }),
      ]),
    );
    const handled = () =>
      g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result: 'accepted' });
    await expect.poll(handled).toBe(3);
    await g.settled();
    expect(g.alerts.open().map((a) => [a.kind, a.deviceId])).toEqual([['call', 'btn-n1']]);
  });
});
