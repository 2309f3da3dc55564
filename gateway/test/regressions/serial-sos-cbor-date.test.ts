/**
 * Found by probing: a wristband SOS relayed by a base station whose CBOR encoder writes `ts` as a
 * standard date (tag 1, RFC 8949 §3.4.2) was rejected as `malformed` before it reached ingest and
 * never acknowledged: the base station sent the same bytes again for ever and nobody was called.
 * The same message over MQTT with an unusable ts is salvaged as an alarm. Now a value JSON cannot
 * carry reads as null, so ingest's schema refuses it and its salvage takes the SOS to a carer.
 */
import { fileURLToPath } from 'node:url';
import { FRAME_TYPES, frameCrc, slipEncode } from '@careedge/edge';
import { Encoder } from 'cbor-x';
import { afterEach, expect, it } from 'vitest';
import type { DeepPartial } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';
import { ptyPair } from '../helpers/pty-pair.js';
import { SerialStation } from '../helpers/serial-station.js';

const SERIAL_SITE = fileURLToPath(new URL('../fixtures/serial-site.yaml', import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function eventually(ok: () => Promise<boolean> | boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A v1 frame with the CBOR payload bytes given as they are (a third-party encoder's). */
function rawFrame(type: keyof typeof FRAME_TYPES, deviceId: string, linkSeq: number, payload: Buffer) {
  const head = Buffer.from([1, FRAME_TYPES[type], deviceId.length]);
  const seq = Buffer.alloc(4);
  seq.writeUInt32BE(linkSeq);
  const body = Buffer.concat([head, Buffer.from(deviceId, 'latin1'), seq, payload]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16BE(frameCrc(body));
  return slipEncode(Buffer.concat([body, crc]));
}

it('raises and acknowledges a serial SOS whose ts a standard CBOR encoder wrote as a tagged date', async () => {
  const pty = await ptyPair();
  cleanups.push(() => pty.close());
  const serial = { ports: [{ path: pty.a }], reconnectMinMs: 500, reconnectMaxMs: 2000 };
  const g: TestGateway = await testGateway({ siteFile: SERIAL_SITE, serial } as DeepPartial<GatewayConfig>);
  cleanups.push(() => g.stop());
  await eventually(
    async () => (await g.metric('careedge_serial_link_up', { port: pty.a })) === 1,
    'the port to open',
  );
  const station = await SerialStation.open(pty.b);
  cleanups.push(() => station.close());
  expect(await station.hello('bs-1')).toMatchObject({ type: 'ack' });
  const alice = await g.handset('alice');

  const cbor = new Encoder({ useRecords: false, mapsAsObjects: true });
  const payload = Buffer.from(cbor.encode({ type: 'sos', seq: 7, ts: new Date(g.clock.now()) }));
  expect(payload.includes(0xc1)).toBe(true); // tag 1: the date as the encoder wrote it
  station.write(rawFrame('event', 'wb-s1', 4242, payload));

  const answer = await station.next((f) => (f.type === 'ack' || f.type === 'nack') && f.linkSeq === 4242);
  expect(answer).toMatchObject({ type: 'ack', deviceId: 'wb-s1' });
  const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
  expect(dispatch).toMatchObject({ reason: 'new', kind: 'sos', residentId: 'r1' });
  expect(await g.metric('careedge_alarm_journal_records_total', { result: 'ok' })).toBe(1);
});
