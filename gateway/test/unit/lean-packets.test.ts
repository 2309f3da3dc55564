import { PassThrough } from 'node:stream';
import type { Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { keepPacketsYoung, writePacketsLean } from '../../src/broker/lean-packets.js';

const publish = (n: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: `careedge/site/device/wb-${n}/telemetry`,
    payload: JSON.stringify({ seq: n, ts: 1_790_000_000_000 + n, activity: n }),
    qos: 1,
    messageId: n,
    retain: false,
    dup: false,
  });

/** mqtt-packet's own parser, as aedes makes one per connection, with the hook on it. */
function hookedParser() {
  const parser = mqttPacket.parser();
  keepPacketsYoung({ _parser: parser } as unknown as Client);
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', (err) => {
    throw err;
  });
  return { parser: parser as unknown as { packet: object; parse(b: Buffer): number }, packets };
}

describe('keepPacketsYoung: each packet is parsed into a new object', () => {
  it('parses packets that arrive whole, several in one read, and split byte by byte', () => {
    const { parser, packets } = hookedParser();
    parser.parse(publish(1));
    parser.parse(Buffer.concat([publish(2), publish(3), publish(4)]));
    for (const byte of publish(5)) parser.parse(Buffer.from([byte]));
    const half = publish(6);
    parser.parse(Buffer.concat([half.subarray(0, 7)]));
    parser.parse(Buffer.concat([half.subarray(7), publish(7).subarray(0, 1)]));
    parser.parse(publish(7).subarray(1));

    expect(packets.map((p) => (p as mqttPacket.IPublishPacket).messageId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const p of packets) {
      const pub = p as mqttPacket.IPublishPacket;
      expect(JSON.parse(pub.payload.toString()).seq).toBe(pub.messageId);
      expect(pub.topic).toBe(`careedge/site/device/wb-${pub.messageId}/telemetry`);
    }
    expect(new Set(packets).size, 'every packet its own object').toBe(7);
  });

  it('waits on one idle packet that is never written to, and never hands it out', () => {
    const { parser, packets } = hookedParser();
    parser.parse(publish(1));
    const idle = parser.packet;
    expect(idle).toMatchObject({ cmd: null, length: -1, topic: null, payload: null });
    parser.parse(publish(2));
    expect(parser.packet, 'the same idle packet between packets').toBe(idle);
    expect(idle).toMatchObject({ cmd: null, length: -1, topic: null, payload: null });
    expect(packets).not.toContain(idle);
    // Mid-packet the parser holds the packet being filled, not the idle one.
    parser.parse(publish(3).subarray(0, 4));
    expect(parser.packet).not.toBe(idle);
  });
});

describe('writePacketsLean', () => {
  const written = async (packets: mqttPacket.Packet[]) => {
    const out = new PassThrough();
    for (const p of packets) mqttPacket.writeToStream(p, out);
    await new Promise((r) => setImmediate(r));
    return out.read() as Buffer;
  };
  const packets: mqttPacket.Packet[] = [
    { cmd: 'puback', messageId: 1 },
    { cmd: 'puback', messageId: 0x1234 },
    { cmd: 'puback', messageId: 65_535 },
    {
      cmd: 'publish',
      topic: 'a/b',
      payload: Buffer.from('{}'),
      qos: 1,
      messageId: 7,
      retain: false,
      dup: false,
    },
    { cmd: 'suback', messageId: 9, granted: [1] },
  ];

  it('writes every packet byte for byte as mqtt-packet does, PUBACKs as one buffer', async () => {
    const expected = Buffer.concat(packets.map((p) => mqttPacket.generate(p)));
    writePacketsLean();
    writePacketsLean(); // twice: not wrapped twice
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(false);
    expect((await written(packets)).equals(expected)).toBe(true);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 0x1234 }, out);
    await new Promise((r) => setImmediate(r));
    expect(chunks.map((c) => [...c])).toEqual([[0x40, 2, 0x12, 0x34]]);
  });
});
