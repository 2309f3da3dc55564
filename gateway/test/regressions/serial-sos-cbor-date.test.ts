import { FRAME_TYPES, frameCrc, slipEncode } from '@careedge/edge';
import { Encoder } from 'cbor-x';
import { afterEach, expect, it } from 'vitest';
import { onTopic } from '../helpers/mqtt-client.js';
import { serialGateway } from '../helpers/serial-station.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

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
  const { g, station } = await serialGateway(cleanups);
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
