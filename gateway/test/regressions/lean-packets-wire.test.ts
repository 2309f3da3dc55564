import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { topicFor } from '@careedge/edge';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { secretOf, type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

/**
 * A device on a raw TCP socket: what it writes is bytes of our choosing, what it gets back is kept
 * byte for byte, so the broker's lean parsing and writing (lean-packets.ts) is checked against
 * what mqtt-packet itself would have produced.
 */
const sockets: Socket[] = [];
async function rawDevice(g: TestGateway, id: string) {
  const socket: Socket = connect(g.gateway.mqttPort, '127.0.0.1');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const received: Buffer[] = [];
  let closed = false;
  socket.on('data', (b) => received.push(b));
  socket.on('close', () => {
    closed = true;
  });
  const connectBytes = mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: `${id}-raw`,
    keepalive: 60,
    username: id,
    password: Buffer.from(secretOf(id)),
  });
  return {
    connectBytes,
    /** Writes `bytes` one byte per turn, so the broker reads them in many pieces. */
    async trickle(bytes: Buffer) {
      for (const byte of bytes) {
        socket.write(Buffer.from([byte]));
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    write: (bytes: Buffer) => socket.write(bytes),
    received: () => Buffer.concat(received),
    closed: () => closed,
  };
}

// Made once the gateway runs: mqtt-packet builds its message-id table on its first use before then.
const connackAccepted = () => mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });
const pubacks = (ids: number[]) => ids.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId }));

/** QoS 1 publishes of a band: heartbeats with an SOS in the middle, message ids at both ends. */
function heartbeatsAroundAnSos(siteId: string, id: string) {
  const ids = [1, 0xff, 0x100, 0x1234, 0xfffe, 65_535];
  const bytes = ids.map((messageId, i) =>
    mqttPacket.generate({
      cmd: 'publish',
      topic: topicFor(i === 3 ? 'deviceEvent' : 'deviceHeartbeat', siteId, id),
      payload: JSON.stringify(i === 3 ? { seq: i, ts: 1, type: 'sos' } : { seq: i, ts: 1, intervalS: 60 }),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    }),
  );
  return { ids, bytes: Buffer.concat(bytes) };
}

describe('the broker on the wire, as a device sees it (lean packets probed)', () => {
  let g: TestGateway;
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await g.stop();
  });

  it('answers CONNECT and publishes sent in one segment, or a byte at a time, byte for byte as mqtt-packet', async () => {
    g = await testGateway();
    const alice = await g.handset('alice');
    const whole = await rawDevice(g, 'wb-1');
    const trickled = await rawDevice(g, 'wb-2');
    const a = heartbeatsAroundAnSos(g.gateway.siteId, 'wb-1');
    const b = heartbeatsAroundAnSos(g.gateway.siteId, 'wb-2');

    whole.write(Buffer.concat([whole.connectBytes, a.bytes]));
    await trickled.trickle(Buffer.concat([trickled.connectBytes, b.bytes]));

    for (const [device, ids] of [
      [whole, a.ids],
      [trickled, b.ids],
    ] as const) {
      const expected = Buffer.concat([connackAccepted(), ...pubacks(ids)]);
      await expect.poll(() => device.received().length).toBe(expected.length);
      expect(device.received().toString('hex')).toBe(expected.toString('hex'));
    }
    const raised = [
      (await alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }))).payload.residentId,
      (await alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }))).payload.residentId,
    ];
    expect(raised.sort()).toEqual(['r1', 'r2']);
    const { cache } = createRequire(import.meta.url)('mqtt-packet/numbers.js') as { cache: object };
    expect(Object.keys(cache), "mqtt-packet's 65,536 message-id buffers were never made").toHaveLength(0);
  });

  /**
   * [MQTT-2.2.2-2]: a packet with invalid reserved flags closes its connection. What was read
   * before it in the same segment still counts, and a band whose bytes were being parsed at the
   * same moment on another connection is not disturbed.
   */
  it('closes a connection at a malformed header; an SOS read before it and another band are unharmed', async () => {
    g = await testGateway();
    const alice = await g.handset('alice');
    const hostile = await rawDevice(g, 'wb-1');
    const band = await rawDevice(g, 'wb-2');
    hostile.write(hostile.connectBytes);
    band.write(band.connectBytes);
    await expect.poll(() => hostile.received().length + band.received().length).toBe(8);
    const sos = mqttPacket.generate({
      cmd: 'publish',
      topic: topicFor('deviceEvent', g.gateway.siteId, 'wb-1'),
      payload: JSON.stringify({ seq: 1, ts: 1, type: 'sos' }),
      qos: 1,
      messageId: 9,
      retain: false,
      dup: false,
    });
    const theirs = heartbeatsAroundAnSos(g.gateway.siteId, 'wb-2');
    const split = 7; // the band is mid-packet when the malformed header is read
    await band.trickle(theirs.bytes.subarray(0, split));
    hostile.write(Buffer.concat([sos, Buffer.from([0x41, 0x02, 0x00, 0x01])])); // PUBACK, flags 0001
    await band.trickle(theirs.bytes.subarray(split));

    await expect.poll(() => hostile.closed()).toBe(true);
    const expected = Buffer.concat([connackAccepted(), ...pubacks(theirs.ids)]);
    await expect.poll(() => band.received().length).toBe(expected.length);
    expect(band.received().toString('hex')).toBe(expected.toString('hex'));
    expect(band.closed()).toBe(false);
    const raised = [
      (await alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }))).payload.residentId,
      (await alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }))).payload.residentId,
    ];
    expect(raised.sort()).toEqual(['r1', 'r2']);
  });

  /**
   * [MQTT-3.1.0-1]: the first packet must be a CONNECT. An SOS sent before it is read whole by the
   * lean parser, straight from the socket's buffer: the connection is closed and the SOS goes
   * nowhere, exactly as when mqtt-packet parsed it.
   */
  it('closes a connection whose first packet is a PUBLISH, read whole, and raises nothing for it', async () => {
    g = await testGateway();
    const alice = await g.handset('alice');
    const hostile = await rawDevice(g, 'wb-1');
    const band = await rawDevice(g, 'wb-2');
    const sosOf = (id: string) =>
      mqttPacket.generate({
        cmd: 'publish',
        topic: topicFor('deviceEvent', g.gateway.siteId, id),
        payload: JSON.stringify({ seq: 1, ts: 1, type: 'sos' }),
        qos: 1,
        messageId: 1,
        retain: false,
        dup: false,
      });
    hostile.write(sosOf('wb-1'));
    await expect.poll(() => hostile.closed()).toBe(true);
    expect(hostile.received().length, 'no PUBACK').toBe(0);

    band.write(Buffer.concat([band.connectBytes, sosOf('wb-2')]));
    const first = await alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }));
    expect(first.payload.residentId, "the band's SOS, the only one raised").toBe('r2');
    expect(g.alerts.open().map((a) => a.residentId)).toEqual(['r2']);
  });
});
