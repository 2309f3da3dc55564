import { createRequire } from 'node:module';
import { PassThrough, Writable } from 'node:stream';
import type { Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { holdPuback, parseLean, writePacketsLean } from '../../src/broker/lean-packets.js';

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
  parseLean({ _parser: parser } as unknown as Client);
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', (err) => {
    throw err;
  });
  return { parser: parser as unknown as { packet: object; parse(b: Buffer): number }, packets };
}

describe('parseLean: each packet is parsed into a new object', () => {
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

/** A small deterministic generator, so a failing stream can be replayed from its seed. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fff_ffff;
  return seed / 0x7fff_ffff;
};

/** One packet a client or a peer might send, MQTT 3.1.1 or 5 (properties included). */
function anyPacket(r: () => number, protocolVersion: 4 | 5): Buffer {
  const messageId = Math.floor(r() * 65_536);
  const v5 = protocolVersion === 5;
  const packets: mqttPacket.Packet[] = [
    {
      cmd: 'publish',
      topic: `careedge/site/device/wb-${messageId}/event`,
      payload: Buffer.alloc(Math.floor(r() * 300), 0x7b),
      qos: Math.floor(r() * 3) as 0 | 1 | 2,
      messageId,
      retain: r() < 0.3,
      dup: r() < 0.3,
      ...(v5 ? { properties: { contentType: 'application/json', userProperties: { a: 'b' } } } : {}),
    },
    { cmd: 'pingreq' },
    { cmd: 'puback', messageId, ...(v5 ? { reasonCode: 16 } : {}) },
    { cmd: 'pubrel', messageId },
    { cmd: 'subscribe', messageId: messageId || 1, subscriptions: [{ topic: 'careedge/#', qos: 1 }] },
    { cmd: 'unsubscribe', messageId: messageId || 1, unsubscriptions: ['careedge/#'] },
    { cmd: 'disconnect' },
  ];
  return mqttPacket.generate(packets[Math.floor(r() * packets.length)]!, { protocolVersion });
}

/** What a parser emits for `bytes` fed in the pieces `cuts` make: packets (copied) and errors. */
function parsed(bytes: Buffer, cuts: number[], protocolVersion: 4 | 5, hooked: boolean) {
  const parser = mqttPacket.parser({ protocolVersion });
  if (hooked) parseLean({ _parser: parser } as unknown as Client);
  const out: unknown[] = [];
  parser.on('packet', (p) => out.push({ ...p }));
  parser.on('error', (err) => out.push(`error: ${err.message}`));
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    if (to > from) parser.parse(bytes.subarray(from, to));
    from = to;
  }
  return out;
}

/** The packets a device sends all day, MQTT 3.1.1 (the ones parseLean reads itself). */
function devicePacket(r: () => number): Buffer {
  const messageId = Math.floor(r() * 65_536);
  const packets: mqttPacket.Packet[] = [
    {
      cmd: 'publish',
      topic:
        r() < 0.1
          ? 'careedge/v1/site/device/wb-ü/telemetry'
          : `careedge/v1/site/device/wb-${messageId}/telemetry`,
      payload: r() < 0.1 ? Buffer.alloc(0) : Buffer.alloc(Math.floor(r() * 1500), 0x7b),
      qos: (r() < 0.8 ? 1 : 0) as 0 | 1,
      messageId,
      retain: r() < 0.2,
      dup: r() < 0.2,
    },
    { cmd: 'puback', messageId },
    { cmd: 'pingreq' },
  ];
  return mqttPacket.generate(packets[Math.floor(r() * packets.length)]!);
}

describe('parseLean parses as mqtt-packet does', () => {
  /**
   * Reads that hold whole packets, the case parseLean reads itself: streams of device packets
   * with now and then a byte overwritten anywhere (a length that no longer adds up, a topic
   * length past the end, reserved flags), read in a few large pieces.
   */
  it('on streams of whole device packets, with malformed bytes, read in large pieces', () => {
    let direct = 0;
    let errors = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = random(seed);
      const packets = Array.from({ length: 1 + Math.floor(r() * 12) }, () => devicePacket(r));
      if (r() < 0.5) {
        const i = Math.floor(r() * packets.length);
        const bad = Buffer.from(packets[i]!);
        bad[Math.floor(r() * Math.min(bad.length, 40))] = Math.floor(r() * 256);
        packets[i] = bad;
      }
      const bytes = Buffer.concat(packets);
      const cuts = r() < 0.5 ? [] : [Math.floor(r() * bytes.length)];
      const lean = parsed(bytes, cuts, 4, true);
      expect(lean, `seed ${seed}`).toEqual(parsed(bytes, cuts, 4, false));
      errors += lean.filter((x) => typeof x === 'string').length;
      direct += lean.length;
    }
    expect(errors, 'the error path was exercised').toBeGreaterThan(20);
    expect(direct, 'packets were parsed').toBeGreaterThan(1000);
  });

  it('reads a whole PUBLISH, PUBACK and PINGREQ itself, and hands anything else to mqtt-packet', () => {
    const parser = mqttPacket.parser() as unknown as { parse(b: Buffer): number; _list: { length: number } };
    parseLean({ _parser: parser } as unknown as Client);
    const list = parser._list as unknown as { append(b: Buffer): unknown };
    const appended: number[] = [];
    const append = list.append.bind(list);
    list.append = (b: Buffer) => {
      appended.push(b.length);
      return append(b);
    };
    const packets: mqttPacket.Packet[] = [];
    (parser as unknown as NodeJS.EventEmitter).on('packet', (p: mqttPacket.Packet) => packets.push(p));
    const whole = Buffer.concat([publish(1), mqttPacket.generate({ cmd: 'pingreq' }), publish(2)]);
    parser.parse(whole);
    expect(appended, 'mqtt-packet saw none of it').toEqual([]);
    const subscribe = mqttPacket.generate({
      cmd: 'subscribe',
      messageId: 3,
      subscriptions: [{ topic: 'a', qos: 1 }],
    });
    parser.parse(Buffer.concat([publish(4), subscribe, publish(5)]));
    expect(appended, 'from the SUBSCRIBE on').toEqual([subscribe.length + publish(5).length]);
    expect(packets.map((p) => p.cmd)).toEqual([
      'publish',
      'pingreq',
      'publish',
      'publish',
      'subscribe',
      'publish',
    ]);
  });

  /**
   * A hostile or failing device: any packets, a byte of one overwritten (reserved flags, a bad
   * length, a cut string), the stream cut anywhere. The hooked parser must emit exactly what
   * mqtt-packet's own emits, errors and what it parses after them (its _resetState) included.
   */
  it('on random streams cut at random points, with malformed bytes, in MQTT 3.1.1 and 5', () => {
    let errors = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const protocolVersion = r() < 0.5 ? 4 : 5;
      const packets = Array.from({ length: 1 + Math.floor(r() * 8) }, () => anyPacket(r, protocolVersion));
      if (r() < 0.4) {
        const i = Math.floor(r() * packets.length);
        const bad = Buffer.from(packets[i]!);
        bad[Math.floor(r() * Math.min(bad.length, 6))] = Math.floor(r() * 256);
        packets[i] = bad;
      }
      const bytes = Buffer.concat(packets);
      const cuts = [...bytes.keys()].filter((i) => i > 0 && (bytes.length < 64 || r() < 0.15));
      const hooked = parsed(bytes, cuts, protocolVersion, true);
      expect(hooked, `seed ${seed}`).toEqual(parsed(bytes, cuts, protocolVersion, false));
      errors += hooked.filter((x) => typeof x === 'string').length;
    }
    expect(errors, 'the error path was exercised').toBeGreaterThan(20);
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

  it('sends the PUBACKs of one tick in one write, as mqtt-packet did (one syscall on a socket)', async () => {
    writePacketsLean();
    const writes: number[][][] = [];
    const socket = new Writable({
      writev(chunks, cb) {
        writes.push(chunks.map((c) => [...(c.chunk as Buffer)]));
        cb();
      },
      write(chunk: Buffer, _enc, cb) {
        writes.push([[...chunk]]);
        cb();
      },
    });
    for (const messageId of [1, 2, 3]) mqttPacket.writeToStream({ cmd: 'puback', messageId }, socket);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([[[0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3]]]);
  });

  it('writes pending PUBACKs before any other packet to the same connection, so none is reordered', async () => {
    writePacketsLean();
    const out = new PassThrough();
    const suback: mqttPacket.Packet = { cmd: 'suback', messageId: 9, granted: [1] };
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 1 }, out);
    mqttPacket.writeToStream(suback, out);
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 2 }, out);
    await new Promise((r) => setImmediate(r));
    const expected = Buffer.concat([
      mqttPacket.generate({ cmd: 'puback', messageId: 1 }),
      mqttPacket.generate(suback),
      mqttPacket.generate({ cmd: 'puback', messageId: 2 }),
    ]);
    expect([...(out.read() as Buffer)]).toEqual([...expected]);
  });

  it('holds a PUBACK until its promise settles, and the later ones of that connection behind it', async () => {
    writePacketsLean();
    const out = new PassThrough();
    const other = new PassThrough();
    let release!: () => void;
    holdPuback(
      out,
      2,
      new Promise<void>((r) => {
        release = r;
      }),
    );
    for (const messageId of [1, 2, 3]) mqttPacket.writeToStream({ cmd: 'puback', messageId }, out);
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 9 }, other);
    await new Promise((r) => setImmediate(r));
    expect([...(out.read() as Buffer)], 'the one before the held one only').toEqual([0x40, 2, 0, 1]);
    expect([...(other.read() as Buffer)], 'another connection is not held').toEqual([0x40, 2, 0, 9]);
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 4 }, out);
    await new Promise((r) => setImmediate(r));
    expect(out.read(), 'still held').toBeNull();
    release();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r)); // released PUBACKs leave through the paced writer
    expect([...(out.read() as Buffer)]).toEqual([0x40, 2, 0, 2, 0x40, 2, 0, 3, 0x40, 2, 0, 4]);
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 5 }, out);
    await new Promise((r) => setImmediate(r));
    expect([...(out.read() as Buffer)], 'nothing held any more').toEqual([0x40, 2, 0, 5]);
  });

  it('writes released PUBACKs ahead of a later unheld one, in one write, when that one comes first', async () => {
    writePacketsLean();
    const out = new PassThrough();
    let release!: () => void;
    holdPuback(
      out,
      1,
      new Promise<void>((r) => {
        release = r;
      }),
    );
    for (const messageId of [1, 2]) mqttPacket.writeToStream({ cmd: 'puback', messageId }, out);
    release();
    await Promise.resolve(); // released: waiting for the paced writer
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 3 }, out); // e.g. an alarm's: not paced
    await new Promise((r) => process.nextTick(r));
    expect([...(out.read() as Buffer)]).toEqual([0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3]);
    await new Promise((r) => setImmediate(r));
    expect(out.read(), 'the paced writer finds nothing left to write').toBeNull();
  });

  it('releases the held PUBACKs of many connections through the paced writer, every one of them', async () => {
    writePacketsLean();
    const conns = Array.from({ length: 3000 }, () => new PassThrough());
    let release!: () => void;
    const until = new Promise<void>((r) => {
      release = r;
    });
    conns.forEach((c, i) => {
      holdPuback(c, (i % 60_000) + 1, until);
      mqttPacket.writeToStream({ cmd: 'puback', messageId: (i % 60_000) + 1 }, c);
    });
    await new Promise((r) => setImmediate(r));
    expect(
      conns.every((c) => c.read() === null),
      'all held',
    ).toBe(true);
    release();
    for (let turn = 0; turn < 1000 && conns.some((c) => c.readableLength === 0); turn++)
      await new Promise((r) => setImmediate(r));
    expect(
      conns.map(
        (c, i) =>
          [...(c.read() as Buffer)].join() === `64,2,${((i % 60_000) + 1) >> 8},${((i % 60_000) + 1) & 0xff}`,
      ),
    ).not.toContain(false);
  });

  it('writes nothing to a connection destroyed before its PUBACKs left', async () => {
    writePacketsLean();
    const out = new PassThrough();
    const errors: Error[] = [];
    out.on('error', (e) => errors.push(e));
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 1 }, out);
    out.destroy();
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([]);
    expect(out.read()).toBeNull();
  });

  /**
   * MQTT.js (the gateway's link to an external broker, and every simulated device) writes through
   * the same process-wide writeToStream, always with its options. An MQTT 5 PUBACK without a
   * reason code is not the 4-byte MQTT 3.1.1 one: it must reach mqtt-packet.
   */
  it("leaves a PUBACK written with options (MQTT.js's, MQTT 5) to mqtt-packet", async () => {
    writePacketsLean();
    const puback: mqttPacket.Packet = { cmd: 'puback', messageId: 0x1234 };
    const out = new PassThrough();
    mqttPacket.writeToStream(puback, out, { protocolVersion: 5 });
    await new Promise((r) => setImmediate(r));
    const v5 = mqttPacket.generate(puback, { protocolVersion: 5 });
    expect(v5.equals(mqttPacket.generate(puback)), 'MQTT 5 writes it differently').toBe(false);
    expect((out.read() as Buffer).equals(v5)).toBe(true);
  });

  it('leaves a PUBACK with an id mqtt-packet refuses to mqtt-packet, which refuses it', () => {
    writePacketsLean();
    for (const messageId of [70_000, -1, '7' as unknown as number]) {
      const out = new PassThrough();
      const errors: Error[] = [];
      out.on('error', (e) => errors.push(e));
      // mqtt-packet throws (aedes catches it: "packet received not valid") or destroys the stream.
      let threw = false;
      try {
        mqttPacket.writeToStream({ cmd: 'puback', messageId }, out);
      } catch {
        threw = true;
      }
      expect(threw || out.destroyed || errors.length > 0, `id ${messageId}`).toBe(true);
      expect(out.read(), `nothing written for id ${messageId}`).toBeNull();
    }
  });

  /** With a copy of its own (npm nests one when versions part), aedes would write around the wrap. */
  it('wraps the very mqtt-packet that aedes writes with', () => {
    const fromAedes = createRequire(import.meta.resolve('aedes')).resolve('mqtt-packet');
    expect(fromAedes).toBe(createRequire(import.meta.url).resolve('mqtt-packet'));
  });
});
