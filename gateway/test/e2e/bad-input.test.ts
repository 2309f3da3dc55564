import { createServer, type Server } from 'node:net';
import { topicFor } from '@careedge/edge';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('bad input is rejected, counted, and never blocks valid traffic', () => {
  let g: TestGateway | undefined;
  afterEach(async () => {
    await g?.stop();
    g = undefined;
  });

  it('a flood of malformed messages does not stop an SOS sent at the same moment', async () => {
    g = await testGateway();
    const noisy = await g.device('wb-2');
    const button = await g.device('btn-n1');
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');

    const topic = topicFor('deviceEvent', 'testsite', 'wb-2');
    const garbage = [
      'not json at all',
      '{"seq":1,"ts":1,"type":"explode"}',
      '{"seq":-5,"ts":1,"type":"off-wrist"}',
      '{"seq":2,"ts":1,"type":"off-wrist","extra":true}',
      '[]',
      '',
    ];
    // Each noisy sender ends with a valid alarm: the broker delivers in order per publisher, so
    // when its dispatch arrives, everything that sender sent before has been handled.
    const noise = (async () => {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => noisy.sendRaw(topic, garbage[i % garbage.length]!)),
      );
      await noisy.send('deviceEvent', { type: 'sos' });
    })();
    const wrongKind = (async () => {
      await button.send('deviceEvent', { type: 'off-wrist' }); // not a button event, not an alarm
      await button.send('deviceEvent', { type: 'call' });
    })();
    await Promise.all([noise, wrongKind, band.send('deviceEvent', { type: 'sos' })]);

    const dispatches = [];
    for (let i = 0; i < 3; i++)
      dispatches.push((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload);
    const got = dispatches.map((d) => `${d.kind}:${d.residentId ?? d.room}`).sort();
    expect(got).toEqual(['call:Room N1', 'sos:r1', 'sos:r2']);

    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result: 'rejected' }),
    ).toBe(51);
    expect(
      await g.metric('careedge_ingest_rejections_total', {
        channel: 'deviceEvent',
        reason: 'invalid-payload',
      }),
    ).toBe(50);
    expect(
      await g.metric('careedge_ingest_rejections_total', { channel: 'deviceEvent', reason: 'wrong-kind' }),
    ).toBe(1);
    expect(g.alerts.open()).toHaveLength(3);
  });

  it('an alarm the schema refuses, or from a misregistered device, still reaches a person', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    // New firmware adds a field the v1 schema does not know; the SOS must not be lost for it.
    await band.sendRaw(
      topicFor('deviceEvent', 'testsite', 'wb-1'),
      '{"seq":1,"ts":1,"type":"sos","battery":"low"}',
    );
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload).toMatchObject({
      kind: 'sos',
      residentId: 'r1',
    });
    // A wristband registered by mistake as the room's button: its SOS becomes an alert for the room.
    await button.send('deviceEvent', { type: 'sos' });
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload).toMatchObject({
      kind: 'sos',
      room: 'Room N1',
    });
    expect(
      await g.metric('careedge_ingest_messages_total', {
        channel: 'deviceEvent',
        result: 'accepted-with-errors',
      }),
    ).toBe(2);
  });

  it('with an external broker: messages from devices missing in the register are rejected as unknown', async () => {
    // An external broker does its own authentication, so the gateway must check the register itself.
    const broker = await Aedes.createBroker();
    const server: Server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      g = await testGateway({ mqtt: { url: `mqtt://127.0.0.1:${port}` } });
      const stranger = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      const alice = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      await alice.subscribeAsync(topicFor('staffDispatch', 'testsite', 'alice'), { qos: 1 });
      const got = new Promise<Record<string, unknown>>((resolve) =>
        alice.on('message', (_t, b) => resolve(JSON.parse(b.toString()))),
      );
      await stranger.publishAsync(
        topicFor('deviceEvent', 'testsite', 'wb-999'),
        JSON.stringify({ seq: 1, ts: 1, type: 'sos' }),
        { qos: 1 },
      );
      await stranger.publishAsync(
        topicFor('deviceEvent', 'testsite', 'wb-1'),
        JSON.stringify({ seq: 1, ts: 1, type: 'sos' }),
        { qos: 1 },
      );
      expect(await got).toMatchObject({ type: 'alert', residentId: 'r1' });
      expect(await g.metric('careedge_ingest_rejections_total', { reason: 'unknown-device' })).toBe(1);
      expect(g.alerts.open()).toHaveLength(1);
      await stranger.endAsync(true);
      await alice.endAsync(true);
    } finally {
      await g?.stop();
      g = undefined;
      await new Promise<void>((r) => broker.close(() => r()));
      server.close();
    }
  });
});
