import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { topicFor } from '@careedge/edge';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { forwardingGateway } from '../helpers/forwarding.js';
import { secretOf, type TestGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

/**
 * Found by probing: a device's telemetry PUBACK waits for the outbox file, and since the outbox
 * stopped expiring a running worker's tickets it waited for as long as the worker ran: a worker
 * that confirmed nothing (a hung write on a failing card, a lock it never gets) held every band's
 * PUBACKs until the real-time watchdog's second look, 30–60 s, or for ever when the thread cannot
 * be terminated out of a hung system call. A band with a full in-flight window cannot send its SOS
 * meanwhile, and a connection with 100 PUBACKs held is not read, its SOS unread in the kernel.
 * Forwarding is optional: the alarm path must never wait for it more than a few seconds.
 */
async function rawBand(g: TestGateway, id: string) {
  const socket: Socket = connect(g.gateway.mqttPort, '127.0.0.1');
  onTestFinished(() => void socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const received: Buffer[] = [];
  socket.on('data', (b) => received.push(b));
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: `${id}-raw`,
      keepalive: 600,
      username: id,
      password: Buffer.from(secretOf(id)),
    }),
  );
  await expect.poll(() => Buffer.concat(received).length).toBe(4); // CONNACK
  const publish = (topic: 'deviceTelemetry' | 'deviceEvent', messageId: number, payload: object) =>
    mqttPacket.generate({
      cmd: 'publish',
      topic: topicFor(topic, g.gateway.siteId, id),
      payload: JSON.stringify(payload),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    });
  return {
    write: (bytes: Buffer) => socket.write(bytes),
    publish,
    /** PUBACKs received so far (after the CONNACK). */
    pubacks: () => (Buffer.concat(received).length - 4) / 4,
  };
}

/** From now on the outbox worker is handed nothing to store: it runs, and confirms nothing. */
function stallOutboxWorker(): void {
  const post = Worker.prototype.postMessage;
  const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
    this: Worker,
    m: unknown,
  ) {
    if ((m as { type?: string }).type !== 'chunks') post.call(this, m);
  });
  onTestFinished(() => spy.mockRestore());
}

const telemetry = (seq: number) => ({
  seq,
  ts: 1_790_000_000_000 + seq,
  activity: 3,
  steps: seq,
  worn: true,
  batteryPct: 80,
  rssiDbm: -60,
});

describe('found by probing: an SOS behind telemetry PUBACKs held by an outbox worker that confirms nothing', {
  timeout: 30_000,
}, () => {
  it('a band whose window is full gets its PUBACKs within seconds, and can send its SOS', async () => {
    const g = await forwardingGateway({ url: 'http://127.0.0.1:9' });
    const alice = await g.handset('alice');
    stallOutboxWorker();
    const band = await rawBand(g, 'wb-1');
    // A Paho-style band: 10 PUBLISHes in flight, the SOS waits in the band for a PUBACK.
    band.write(
      Buffer.concat(
        Array.from({ length: 10 }, (_, i) => band.publish('deviceTelemetry', i + 1, telemetry(i))),
      ),
    );
    await g.tick(5000); // the gateway's clock; the watchdog (real time) does not look in this test
    await expect.poll(() => band.pubacks(), { timeout: 2000 }).toBe(10);
    band.write(band.publish('deviceEvent', 11, { seq: 10, ts: 1_790_000_000_100, type: 'sos' }));
    const raised = await alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }));
    expect(raised.payload.residentId).toBe('r1');
    expect(await g.metric('careedge_forward_acks_unstored_total')).toBeGreaterThan(0);
  });

  it('an SOS sent behind 100 held telemetry messages (the connection not read) is handled within seconds', async () => {
    const g = await forwardingGateway({ url: 'http://127.0.0.1:9' });
    const alice = await g.handset('alice');
    stallOutboxWorker();
    const band = await rawBand(g, 'wb-2');
    // One that ignores its window: 150 telemetry messages, read in one go; then, in a later read, its SOS.
    band.write(
      Buffer.concat(
        Array.from({ length: 150 }, (_, i) => band.publish('deviceTelemetry', i + 1, telemetry(i))),
      ),
    );
    await expect.poll(() => g.metric('careedge_forward_points_queued_total')).toBeGreaterThan(0);
    band.write(band.publish('deviceEvent', 151, { seq: 150, ts: 1_790_000_000_200, type: 'sos' }));
    await expect(
      alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }), 500),
      'gated: unread',
    ).rejects.toThrow();
    await g.tick(5000);
    const raised = await alice.next(onTopic('dispatch', { type: 'alert', kind: 'sos' }));
    expect(raised.payload.residentId).toBe('r2');
    await g.tick(5000); // what was read after the gate opened waits its own bound
    await expect.poll(() => band.pubacks(), { timeout: 2000 }).toBe(151);
  });
});
