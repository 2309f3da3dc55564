import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_SITE, loadConfig, type RunningGateway, silentLogger, startGateway } from '@careedge/gateway';
import mqttPacket, { type IPublishPacket } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeanBand, type LeanCounts } from '../../src/load/lean-band.js';
import {
  FrameReader,
  isDuplicate,
  markDuplicate,
  publishFrame,
  topicBytes,
} from '../../src/load/mqtt-frames.js';

const BAND = { id: 'wb-101', secret: 'demo-wb-101-secret' };

/** Waits for a condition on real sockets (not on time): polls, fails after 5 s. */
async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A TCP relay between a band and the gateway that reads the band's packets (with mqtt-packet's
 * own parser), can hold back the gateway's answers, inject bytes towards the band, and cut the
 * connection as a lost radio link would.
 */
async function relay(target: number) {
  const published: { conn: number; packet: IPublishPacket }[] = [];
  let holding = false;
  let held: Buffer[] = [];
  let current: { band: Socket; gateway: Socket } | undefined;
  let conns = 0;
  const server: Server = createServer((band) => {
    const conn = ++conns;
    const gateway = tcpConnect({ host: '127.0.0.1', port: target });
    current = { band, gateway };
    const parser = mqttPacket.parser();
    parser.on('packet', (p) => {
      if (p.cmd === 'publish') published.push({ conn, packet: p });
    });
    band.on('data', (d: Buffer) => {
      parser.parse(d);
      gateway.write(d);
    });
    gateway.on('data', (d: Buffer) => {
      if (holding) held.push(d);
      else band.write(d);
    });
    band.on('close', () => gateway.destroy());
    gateway.on('close', () => band.destroy());
    band.on('error', () => undefined);
    gateway.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    published,
    connections: () => conns,
    hold: () => {
      holding = true;
    },
    /** Drops what was held (as a lost link does) and lets answers through again. */
    release: () => {
      holding = false;
      held = [];
    },
    toBand: (bytes: Buffer) => current?.band.write(bytes),
    cut: () => {
      current?.band.destroy();
      current?.gateway.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('MQTT frames of the lean band', () => {
  // CONNACK 0, PUBACK 1, PUBACK 256, PINGRESP, PUBACK 65535: what the band reads from a broker.
  const stream = Buffer.from([
    0x20, 0x02, 0x00, 0x00, 0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x01, 0x00, 0xd0, 0x00, 0x40, 0x02, 0xff,
    0xff,
  ]);
  const expected = [
    [0x20, '0000'],
    [0x40, '0001'],
    [0x40, '0100'],
    [0xd0, ''],
    [0x40, 'ffff'],
  ];
  const read = (chunks: Buffer[]) => {
    const frames: [number, string][] = [];
    const reader = new FrameReader((h, data, start, length) =>
      frames.push([h, data.subarray(start, start + length).toString('hex')]),
    );
    for (const c of chunks) expect(reader.push(c)).toBeUndefined();
    return frames;
  };

  it('reads the same frames whichever byte a read is split at, and byte by byte', () => {
    for (let k = 1; k < stream.length; k++) {
      expect(read([stream.subarray(0, k), stream.subarray(k)]), `split at ${k}`).toEqual(expected);
    }
    expect(read([...stream].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('says when the stream is not MQTT, or announces a frame far too big to hold', () => {
    expect(new FrameReader(() => undefined).push(Buffer.from([0x40, 0xff, 0xff, 0xff, 0xff, 0x01]))).toMatch(
      /malformed remaining length/,
    );
    expect(new FrameReader(() => undefined).push(Buffer.from([0x30, 0xff, 0xff, 0x7f]))).toMatch(
      /announces 2097151 bytes/,
    );
  });

  it('writes PUBLISHes that mqtt-packet reads back as sent, DUP included, short and long', () => {
    const topic = 'careedge/v1/s/device/wb-1/telemetry';
    for (const payload of ['{"seq":1}', 'x'.repeat(200), 'y'.repeat(20_000)]) {
      const frame = publishFrame(topicBytes(topic), payload, 65_535, false);
      const packets: IPublishPacket[] = [];
      const parser = mqttPacket.parser();
      parser.on('packet', (p) => packets.push(p as IPublishPacket));
      markDuplicate(frame);
      parser.parse(frame);
      expect(isDuplicate(frame)).toBe(true);
      expect(packets).toHaveLength(1);
      expect(packets[0]).toMatchObject({
        cmd: 'publish',
        topic,
        qos: 1,
        dup: true,
        retain: false,
        messageId: 65_535,
      });
      expect(packets[0]!.payload.toString()).toBe(payload);
    }
  });
});

describe('the lean band against the real gateway', () => {
  let gateway: RunningGateway;
  let dataDir: string;
  const telemetry: { id: string; seq: number; worn: boolean }[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'careedge-lean-band-'));
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile: EXAMPLE_SITE,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
      },
    });
    gateway = await startGateway({ config, logger: silentLogger() });
    gateway.context.bus.on('test', 'device:telemetry', (e) =>
      telemetry.push({ id: e.source.device.id, seq: e.message.seq, worn: e.message.worn }),
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const url = () => `mqtt://127.0.0.1:${gateway.mqttPort}`;
  const newCounts = (): LeanCounts => ({ acked: 0, failed: 0, troubles: 0 });
  const band = (counts: LeanCounts, at = url(), login = BAND) =>
    new LeanBand({ url: at, siteId: gateway.siteId, ...login, counts, heartbeatS: false, reconnectMs: 10 });

  it('logs in as the band, and the gateway accepts its telemetry with seq counting up', async () => {
    telemetry.length = 0;
    const counts = newCounts();
    const b = band(counts);
    await b.connect();
    for (let i = 0; i < 5; i++) b.telemetry();
    await until('5 acked', () => counts.acked === 5);
    await b.close();
    expect(counts).toEqual({ acked: 5, failed: 0, troubles: 0 });
    expect(telemetry.map((t) => t.id)).toEqual(Array(5).fill('wb-101'));
    const seqs = telemetry.map((t) => t.seq);
    // seq 0 went into the will at CONNECT, 1 into `online`: telemetry follows, one by one.
    expect(seqs).toEqual([2, 3, 4, 5, 6]);
    expect(telemetry.every((t) => t.worn)).toBe(true);
  });

  it('sends heartbeats as the simulated band does, right after connecting', async () => {
    const heartbeats: number[] = [];
    gateway.context.bus.on('test-heartbeat', 'device:heartbeat', (e) => heartbeats.push(e.message.intervalS));
    const counts = newCounts();
    const b = new LeanBand({ url: url(), siteId: gateway.siteId, ...BAND, counts, heartbeatS: 30 });
    await b.connect();
    await until('a heartbeat', () => heartbeats.length === 1);
    await b.close();
    gateway.context.bus.removeOwner('test-heartbeat');
    expect(heartbeats).toEqual([30]);
    expect(counts).toEqual({ acked: 0, failed: 0, troubles: 0 });
  });

  it('resends what a lost connection left unacknowledged, with DUP, and counts each message once', async () => {
    telemetry.length = 0;
    const r = await relay(gateway.mqttPort);
    const counts = newCounts();
    const b = band(counts, r.url);
    await b.connect();
    await until('`online` acked', () => b.unacked === 0);
    r.hold();
    for (let i = 0; i < 3; i++) b.telemetry();
    await until('the gateway has all 3', () => telemetry.length === 3);
    expect(b.unacked).toBe(3);
    r.cut();
    r.release();
    await until('all 3 acked after reconnecting', () => counts.acked === 3);
    await b.close();
    await r.close();

    expect(counts).toEqual({ acked: 3, failed: 0, troubles: 1 });
    expect(r.connections()).toBe(2);
    const sent = (conn: number) =>
      r.published
        .filter((p) => p.conn === conn && p.packet.topic.endsWith('/telemetry'))
        .map((p) => ({ id: p.packet.messageId, dup: p.packet.dup, body: p.packet.payload.toString() }));
    const first = sent(1);
    expect(first.map((p) => p.dup)).toEqual([false, false, false]);
    expect(sent(2)).toEqual(first.map((p) => ({ ...p, dup: true })));
    // The gateway took the resent copies for what they are: nothing accepted twice.
    expect(telemetry.map((t) => t.seq)).toEqual([2, 3, 4]);
  });

  it('keeps at most its window on the wire; the rest wait in the band, in order, through a reconnect', async () => {
    telemetry.length = 0;
    const r = await relay(gateway.mqttPort);
    const counts = newCounts();
    const b = new LeanBand({
      url: r.url,
      siteId: gateway.siteId,
      ...BAND,
      counts,
      heartbeatS: false,
      reconnectMs: 10,
      window: 3,
    });
    await b.connect();
    await until('`online` acked', () => b.unacked === 0);
    r.hold();
    for (let i = 0; i < 8; i++) b.telemetry();
    expect(b.waiting, 'beyond the window: kept in the band').toBe(5);
    await until('the gateway has the 3 written', () => telemetry.length === 3);
    const written = () => r.published.filter((p) => p.packet.topic.endsWith('/telemetry')).length;
    expect(written()).toBe(3);
    r.cut();
    r.release();
    await until('all 8 acked after reconnecting', () => counts.acked === 8);
    await b.close();
    await r.close();
    expect(b.waiting).toBe(0);
    expect(counts).toEqual({ acked: 8, failed: 0, troubles: 1 });
    // The 3 written went again (DUP, taken for what they are), then the 5 kept, in order.
    expect(telemetry.map((t) => t.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('counts an unexpected or oversized frame from the broker as trouble, and reconnects', async () => {
    const r = await relay(gateway.mqttPort);
    const counts = newCounts();
    const b = band(counts, r.url);
    await b.connect();
    r.toBand(Buffer.from([0x90, 0x03, 0x00, 0x01, 0x00])); // a SUBACK it never asked for
    await until('one trouble', () => counts.troubles === 1);
    r.toBand(Buffer.from([0x30, 0xff, 0xff, 0x7f])); // a PUBLISH of 2 MB announced
    // The oversized frame, then the connection the band drops because of it.
    await until('reconnected', () => r.connections() === 2 && counts.troubles === 3);
    b.telemetry();
    await until('acked on the new connection', () => counts.acked === 1);
    await b.close();
    await r.close();
    expect(counts).toEqual({ acked: 1, failed: 0, troubles: 3 });
  });

  it('counts a message still unacknowledged at close as failed, never drops it', async () => {
    const r = await relay(gateway.mqttPort);
    const counts = newCounts();
    const b = band(counts, r.url);
    await b.connect();
    await until('`online` acked', () => b.unacked === 0);
    r.hold();
    b.telemetry();
    b.telemetry();
    await b.close();
    await r.close();
    expect(counts).toEqual({ acked: 0, failed: 2, troubles: 1 }); // the unanswered `offline`
    b.telemetry();
    expect(counts.failed).toBe(3);
  });

  it('is refused with a clear error when the password is wrong', async () => {
    const b = band(newCounts(), url(), { id: 'wb-102', secret: 'not-the-secret' });
    await expect(b.connect()).rejects.toThrow(
      /^wb-102: cannot connect to mqtt:\/\/127\.0\.0\.1:\d+: refused: (bad user name or password|not authorized) \(CONNACK [45]\)$/,
    );
  });
});
