/**
 * found by probing: a PUBLISH larger than mqtt.maxPacketBytes that arrived whole in one socket
 * read was accepted. The lean parser (lean-packets.ts) reads whole packets itself and so skipped
 * mqtt-packet's length step, the one place packet-size-guard.ts looks; only a packet cut by the
 * read was refused. The limit must not depend on how TCP happened to cut the bytes.
 */
import { topicFor } from '@careedge/edge';
import { connectAsync } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { expect, it, onTestFinished } from 'vitest';
import { type DeniedEvent, startEmbeddedBroker } from '../../src/broker/index.js';
import { openRegister } from '../../src/register/register.js';
import { openTempDatabase } from '../helpers/tmp.js';

const examplePath = new URL('../../sites/example.yaml', import.meta.url).pathname;
const SITE = 'sunrise';

it('closes the connection of a publish above the limit also when the whole packet is read at once', async () => {
  const { db } = openTempDatabase();
  const register = openRegister(db, examplePath);
  const denied: DeniedEvent[] = [];
  const received: string[] = [];
  let delivered!: () => void;
  const routed = new Promise<void>((resolve) => {
    delivered = resolve;
  });
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    siteId: SITE,
    gatewaySecret: 'test-gateway-secret-0123456789',
    authenticate: (u, p) => register.authenticate(u, p),
    isLogin: (id) => register.isLogin(id),
    maxPacketBytes: 1024,
    onDenied: (e) => denied.push(e),
  });
  const topic = topicFor('deviceTelemetry', SITE, 'wb-101');
  await broker.local.subscribe(topic, (t) => {
    received.push(t);
    delivered();
  });
  const band = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    username: 'wb-101',
    password: 'demo-wb-101-secret',
    clientId: 'wb-101-oversize',
    reconnectPeriod: 0,
  });
  onTestFinished(async () => {
    await band.endAsync(true);
    await broker.close();
  });
  const gone = new Promise<void>((resolve) => band.once('close', () => resolve()));
  // 2 KB, written in one go: on the loopback the broker reads it whole.
  const big = mqttPacket.generate({
    cmd: 'publish',
    topic,
    payload: JSON.stringify({ seq: 1, ts: 1, pad: 'x'.repeat(2048) }),
    qos: 0,
    retain: false,
    dup: false,
  });
  (band.stream as unknown as { write(b: Buffer): void }).write(big);
  await Promise.race([gone, routed]);
  expect(denied.at(-1)).toMatchObject({
    kind: 'oversize',
    reason: expect.stringContaining(`${big.length - 3} bytes`),
  });
  expect(received, 'the oversized message went nowhere').toEqual([]);
});
