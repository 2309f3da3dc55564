import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });
const resultOf = async (h: TestClient, seq: number) =>
  (await h.next(onTopic('result', { transaction: seq }))).payload;

/**
 * Every reply is to be answered on the handset's `result` topic, matched by `transaction`. A reply
 * the schema refused was only counted and logged: the handset heard nothing. Care home: Alice
 * closes Rose's fall with a long note (over 500 characters); her handset waits, times out with "no
 * answer from the gateway", she tries again with the same note, and the alert stays open and keeps
 * reminding her and the supervisor, with nobody told why. The catalogue has the answer for this:
 * `invalid-request`, with a message that says where.
 */
describe('found by probing: a handset reply that fails its schema got no answer', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('is answered with invalid-request, its transaction and what is wrong; nothing changes', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    const alertId = (await alice.next(isAlert({ reason: 'new' }))).payload.alertId as number;
    const ack = await alice.send('staffReply', { action: 'ack', alertId });
    expect(await resultOf(alice, ack.seq)).toMatchObject({ status: 'ok' });
    const arrived = await alice.send('staffReply', { action: 'arrived', alertId });
    expect(await resultOf(alice, arrived.seq)).toMatchObject({ status: 'ok' });

    const tooLong = await alice.send('staffReply', {
      action: 'resolve',
      alertId,
      outcome: 'assisted',
      note: 'x'.repeat(501),
    });
    const result = await resultOf(alice, tooLong.seq);
    expect(result).toMatchObject({
      transaction: tooLong.seq,
      action: 'resolve',
      alertId,
      status: 'error',
      error: { code: 'invalid-request' },
    });
    expect(String((result.error as { message: string }).message)).toMatch(/note/);
    expect(g.alerts.get(alertId).state).toBe('attended');

    // Not even the action is readable: still answered, by its seq.
    const garbled = await alice.send('staffReply', { action: 42 });
    expect(await resultOf(alice, garbled.seq)).toMatchObject({
      status: 'error',
      error: { code: 'invalid-request' },
    });
    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'staffReply', result: 'rejected' }),
    ).toBe(2);
  });
});
