import { connect, createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  gateReads,
  holdPuback,
  MAX_HELD_PUBACKS,
  parseLean,
  writePacketsLean,
} from '../../src/broker/lean-packets.js';

const settle = async (turns = 20) => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
};

/**
 * Turns of the event loop until `done`, for at most 10 s of real time: a count of turns ran out
 * on a loaded machine (the last PUBACKs were still in the paced writer or the socket).
 */
const untilOr10s = async (done: () => boolean) => {
  const until = Date.now() + 10_000;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
};

/**
 * A real aedes broker and a raw TCP sender that ignores its in-flight window (sends 3,000 QoS 1
 * publishes at once) while every PUBACK is held, as while the outbox is behind.
 */
describe('a connection with many PUBACKs held', { timeout: 20_000 }, () => {
  it('is not read until they leave: what it sends waits in the kernel, not in the gateway; then every message is handled and acknowledged in order', async () => {
    writePacketsLean();
    const broker = await Aedes.createBroker();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const handled: number[] = [];
    broker.authorizePublish = (client, packet, done) => {
      handled.push(packet.messageId!);
      holdPuback(client!.conn, packet.messageId!, held);
      done(null);
    };
    const server = createServer((socket) => {
      const client = broker.handle(socket);
      parseLean(client);
      gateReads(client);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(async () => {
      await new Promise((r) => server.close(r));
      await new Promise<void>((r) => broker.close(() => r()));
    });
    const port = (server.address() as { port: number }).port;
    const socket: Socket = connect(port, '127.0.0.1');
    onTestFinished(() => void socket.destroy());
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const received: Buffer[] = [];
    socket.on('data', (b) => received.push(b));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: 'flood',
        clean: true,
        keepalive: 60,
      }),
    );
    await settle();
    const total = 3000;
    const payload = Buffer.alloc(100, 'x');
    const publishes = Array.from({ length: total }, (_, i) =>
      mqttPacket.generate({
        cmd: 'publish',
        topic: 'flood/t',
        payload,
        qos: 1,
        messageId: i + 1,
        retain: false,
        dup: false,
      }),
    );
    socket.write(Buffer.concat(publishes));
    await settle(50);
    expect(handled.length, 'read on past the limit').toBeGreaterThanOrEqual(MAX_HELD_PUBACKS);
    expect(handled.length, 'not read to the end while held').toBeLessThan(total);

    release();
    await untilOr10s(() => handled.length >= total);
    expect(handled).toEqual(publishes.map((_, i) => i + 1));
    const expected = Buffer.concat([
      mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
      ...publishes.map((_, i) => mqttPacket.generate({ cmd: 'puback', messageId: i + 1 })),
    ]);
    await untilOr10s(() => Buffer.concat(received).length >= expected.length);
    expect(Buffer.concat(received).equals(expected), 'CONNACK, then every PUBACK in order').toBe(true);
  });
});
