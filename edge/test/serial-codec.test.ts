import { describe, expect, it } from 'vitest';
import {
  channelMessageSchemas,
  type DecodeResult,
  encodeFrame,
  FRAME_CHANNELS,
  FRAME_TYPE_NAMES,
  FRAME_TYPES,
  FrameDecoder,
  type FrameTypeName,
  frameBytes,
  frameCrc,
  frameTypeForChannel,
  isMessageFrame,
  MAX_FRAME_BYTES,
  measureDecoder,
  type SerialFrame,
  slipEncode,
} from '../src/index.js';
import { messageExamples } from '../src/protocol/examples.js';

const examples = messageExamples as Record<string, Record<string, unknown>>;
const decodeAll = (bytes: Buffer, opts?: { maxFrameBytes?: number }): DecodeResult[] =>
  new FrameDecoder(opts).push(bytes);
const sos: SerialFrame = { type: 'event', deviceId: 'wb-1', linkSeq: 7, payload: messageExamples.SosEvent };

/** A frame from hand-made bytes (header, id, seq, payload) with a correct CRC, SLIP-framed. */
function handMade(body: number[] | Buffer): Buffer {
  const bytes = Buffer.from(body);
  const crc = Buffer.alloc(2);
  crc.writeUInt16BE(frameCrc(bytes));
  return slipEncode(Buffer.concat([bytes, crc]));
}
/** version 1, the given type byte, id "wb-1", linkSeq 7, then the payload bytes. */
const header = (type = 0x11, version = 1) => [version, type, 4, ...Buffer.from('wb-1'), 0, 0, 0, 7];

/** CRC-16/CCITT-FALSE bit by bit, straight from its definition, to check the table-driven one. */
function crcByDefinition(bytes: Buffer): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function onlyRejection(results: DecodeResult[]) {
  expect(results).toHaveLength(1);
  const [r] = results;
  if (r!.ok) throw new Error(`expected a rejection, got a ${r!.frame.type} frame`);
  return r!;
}

describe('serial frame types', () => {
  it('maps every message frame to its channel and back', () => {
    for (const [type, channel] of Object.entries(FRAME_CHANNELS)) {
      expect(frameTypeForChannel(channel)).toBe(type);
    }
    expect(frameTypeForChannel('staffDispatch')).toBeUndefined();
    expect(FRAME_TYPE_NAMES.filter((t) => !isMessageFrame(t))).toEqual(['hello', 'ack', 'nack']);
    expect(new Set(Object.values(FRAME_TYPES)).size).toBe(FRAME_TYPE_NAMES.length);
  });
});

describe('serial frame codec', () => {
  it('uses CRC-16/CCITT-FALSE (check value 0x29B1 for "123456789")', () => {
    expect(frameCrc(Buffer.from('123456789'))).toBe(0x29b1);
    expect(crcByDefinition(Buffer.from('123456789'))).toBe(0x29b1);
    const bytes = frameBytes(sos);
    expect(bytes.readUInt16BE(bytes.length - 2)).toBe(crcByDefinition(bytes.subarray(0, -2)));
  });

  const cases: [FrameTypeName, string, Record<string, unknown>][] = [
    ['hello', 'bs-1', { secret: 's3cret', firmware: 'bs-1.0.0' }],
    ['hello', 'bs-1', { secret: 's3cret' }],
    ['ack', 'wb-1', {}],
    ['nack', 'wb-9', { reason: 'unknown device "wb-9"' }],
    ...FRAME_TYPE_NAMES.filter(isMessageFrame).flatMap((type) =>
      channelMessageSchemas(FRAME_CHANNELS[type]).map(
        (s): [FrameTypeName, string, Record<string, unknown>] => [type, 'wb-1', examples[s.$id!]!],
      ),
    ),
  ];

  it.each(cases)('round-trips a %s frame (%s)', (type, deviceId, payload) => {
    expect(payload).toBeDefined();
    const frame: SerialFrame = { type, deviceId, linkSeq: 0xffff_fffe, payload };
    const wire = encodeFrame(frame);
    expect(wire[0]).toBe(0xc0);
    expect(wire.at(-1)).toBe(0xc0);
    expect(wire.subarray(1, -1).includes(0xc0)).toBe(false);
    expect(decodeAll(wire)).toEqual([{ ok: true, frame, bytes: wire.length - 2 }]);
  });

  it('writes the byte-exact golden SOS frame', () => {
    // docs/serial-protocol.md shows this frame byte by byte.
    const golden =
      'c0' +
      '01' + // version
      '11' + // type: event
      '04' + // idLen
      '77622d31' + // "wb-1"
      '00000007' + // linkSeq 7
      'a3' + // CBOR map, 3 pairs
      '63736571' +
      '190413' + // "seq": 1043
      '627473' +
      'fb4279b78fffce8000' + // "ts": 1767261601000 (float64, exact)
      '6474797065' +
      '63736f73' + // "type": "sos"
      '2981' + // CRC
      'c0';
    expect(encodeFrame(sos).toString('hex')).toBe(golden);
  });

  it('escapes END and ESC inside a frame (RFC 1055) and reads them back', () => {
    const frame: SerialFrame = { type: 'ack', deviceId: 'wb-1', linkSeq: 0xc0db, payload: {} };
    const wire = encodeFrame(frame);
    expect(wire.toString('hex')).toBe(`c0010204${Buffer.from('wb-1').toString('hex')}0000dbdcdbdda02674c0`);
    expect(decodeAll(wire)).toEqual([{ ok: true, frame, bytes: 16 }]);
  });

  it('reads a payload a standard CBOR encoder writes: 64-bit integers, indefinite-length maps', () => {
    // ts as uint64 (0x1b), as tinycbor or QCBOR write it; map of indefinite length.
    const payload = Buffer.from('bf637365711904136274731b0000019b7a7ad3e8647479706563736f73ff', 'hex');
    const [r] = decodeAll(handMade([...header(), ...payload]));
    expect(r).toMatchObject({ ok: true, frame: { payload: { seq: 1043, ts: 1767286428648, type: 'sos' } } });
  });

  it('refuses to encode what only a sender bug produces', () => {
    expect(() => encodeFrame({ ...sos, deviceId: 'wb/1' })).toThrow(/device id "wb\/1"/);
    expect(() => encodeFrame({ ...sos, deviceId: 'x'.repeat(65) })).toThrow(/does not match/);
    expect(() => encodeFrame({ ...sos, linkSeq: 2 ** 32 })).toThrow(/not a u32/);
    expect(() => encodeFrame({ ...sos, payload: { text: 'x'.repeat(500) } })).toThrow(/more than 512/);
    expect(() => encodeFrame({ ...sos, type: 'bogus' as FrameTypeName })).toThrow(/unknown type/);
  });
});

describe('serial frame decoder rejections', () => {
  it('bad-crc: one flipped bit', () => {
    const wire = encodeFrame(sos);
    wire.writeUInt8(wire[20]! ^ 0x01, 20);
    expect(onlyRejection(decodeAll(wire))).toMatchObject({ reason: 'bad-crc', detail: /CRC 0x2981/ });
  });

  it('bad-version: a v2 frame with a good CRC', () => {
    const r = onlyRejection(decodeAll(handMade([...header(0x11, 2), 0xa0])));
    expect(r).toMatchObject({ reason: 'bad-version', detail: 'version 2, this gateway speaks 1' });
  });

  it('unknown-type: type byte 0x7f', () => {
    const r = onlyRejection(decodeAll(handMade([...header(0x7f), 0xa0])));
    expect(r).toMatchObject({ reason: 'unknown-type', detail: 'type byte 0x7f' });
  });

  it('oversize: a packet over the limit is reported once, at the limit, and the next frame decodes', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 64 });
    const first = decoder.push(Buffer.concat([Buffer.of(0xc0), Buffer.alloc(64, 0x41)]));
    expect(first).toEqual([]);
    const crossing = decoder.push(Buffer.alloc(1000, 0x41));
    expect(crossing).toEqual([
      {
        ok: false,
        reason: 'oversize',
        detail: 'more than 64 bytes without END; skipping to the next END',
        bytes: 65,
      },
    ]);
    expect(decoder.push(Buffer.alloc(100_000, 0x42))).toEqual([]);
    expect(decoder.push(encodeFrame(sos))).toEqual([{ ok: true, frame: sos, bytes: 42 }]);
  });

  it('oversize: a whole frame longer than 512 bytes', () => {
    const big = handMade([...header(), 0xa1, 0x61, 0x74, 0x79, 0x01, 0xf4, ...Buffer.alloc(500, 0x61)]);
    expect(onlyRejection(decodeAll(big))).toMatchObject({ reason: 'oversize', bytes: MAX_FRAME_BYTES + 1 });
  });

  it.each([
    ['too short', [1, 0x11, 1], /3 bytes, shorter than the shortest frame/],
    [
      'idLen past the end',
      [1, 0x11, 40, ...Buffer.from('wb-1'), 0, 0, 0, 7, 0xa0],
      /idLen 40 leaves no room/,
    ],
    ['id outside IdPattern', [1, 0x11, 4, ...Buffer.from('wb/1'), 0, 0, 0, 7, 0xa0], /device id "wb\/1"/],
    ['payload not a map', [...header(), 0x80], /must be a CBOR map, got an array/],
    ['payload not CBOR', [...header(), 0xa2, 0x61, 0x61], /not valid CBOR/],
    ['bytes after the payload', [...header(), 0xa0, 0x00], /not valid CBOR/],
    ['a number key', [...header(), 0xa1, 0x01, 0x02], /map key 1 is not text/],
    [
      'hello without secret',
      [1, 0x01, 4, ...Buffer.from('bs-1'), 0, 0, 0, 0, 0xa0],
      /hello from bs-1: \/secret: is required/,
    ],
    [
      'nack without reason',
      [1, 0x03, 4, ...Buffer.from('wb-1'), 0, 0, 0, 0, 0xa0],
      /nack from wb-1: \/reason: is required/,
    ],
    [
      'ack with a payload',
      [1, 0x02, 4, ...Buffer.from('wb-1'), 0, 0, 0, 0, 0xa1, 0x61, 0x61, 0x01],
      /unknown property "a"/,
    ],
  ])('malformed: %s', (_, body, detail) => {
    expect(onlyRejection(decodeAll(handMade(body)))).toMatchObject({ reason: 'malformed', detail });
  });

  // Refusing the frame would lose an SOS in it; ingest's schema refuses the value and salvages the alarm.
  it.each([
    ['undefined', [0xf7]],
    ['a tagged date', [0xc1, 0x01]],
    ['a byte string', [0x41, 0x00]],
    ['NaN', [0xf9, 0x7e, 0x00]],
    ['an integer past 2^53', [0x1b, 0x00, 0x40, 0, 0, 0, 0, 0, 0]],
  ])('reads a value JSON cannot say as null: %s', (_, value) => {
    const [r] = decodeAll(handMade([...header(), 0xa2, 0x61, 0x61, ...value, 0x61, 0x62, 0x81, ...value]));
    expect(r).toMatchObject({ ok: true, frame: { type: 'event', payload: { a: null, b: [null] } } });
  });

  it('never quotes a hello secret back', () => {
    const body = [
      1,
      0x01,
      4,
      ...Buffer.from('bs-1'),
      0,
      0,
      0,
      0,
      0xa1,
      0x66,
      ...Buffer.from('secret'),
      0x19,
      0x04,
      0xd2,
    ];
    const r = onlyRejection(decodeAll(handMade(body)));
    expect(r.detail).toBe('hello from bs-1: /secret: must be a string (got a number)');
  });

  it('malformed: a bad escape and an ESC right before END, and the next frame still decodes', () => {
    const wire = Buffer.concat([
      Buffer.from('c00102db41c0', 'hex'),
      Buffer.from('c00102dbc0', 'hex'),
      encodeFrame(sos),
    ]);
    expect(decodeAll(wire)).toEqual([
      { ok: false, reason: 'malformed', detail: 'ESC followed by 0x41, not 0xdc or 0xdd', bytes: 4 },
      { ok: false, reason: 'malformed', detail: 'ESC right before END', bytes: 3 },
      { ok: true, frame: sos, bytes: 42 },
    ]);
  });
});

describe('serial frame decoder resynchronisation', () => {
  it('skips empty packets between ENDs', () => {
    const wire = encodeFrame(sos);
    expect(decodeAll(Buffer.concat([Buffer.alloc(5, 0xc0), wire, wire, Buffer.alloc(3, 0xc0)]))).toEqual([
      { ok: true, frame: sos, bytes: 42 },
      { ok: true, frame: sos, bytes: 42 },
    ]);
  });

  it('recovers after garbage and after a frame cut short', () => {
    const wire = encodeFrame(sos);
    const cut = encodeFrame({ ...sos, linkSeq: 8 }).subarray(0, 20); // its END never comes
    const next = { ...sos, linkSeq: 9 };
    const results = decodeAll(
      Buffer.concat([Buffer.from('line noise \x00\xff'), wire, cut, encodeFrame(next)]),
    );
    expect(results.map((r) => (r.ok ? r.frame.linkSeq : r.reason))).toEqual(['bad-crc', 7, 'bad-crc', 9]);
  });

  it('decodes a frame that arrives one byte at a time', () => {
    const decoder = new FrameDecoder();
    const wire = encodeFrame({ ...sos, linkSeq: 0xc0 });
    const results = [...wire].flatMap((b) => decoder.push(Buffer.of(b)));
    expect(results).toEqual([{ ok: true, frame: { ...sos, linkSeq: 0xc0 }, bytes: wire.length - 2 }]);
  });

  it('keeps no more than maxFrameBytes however long the line runs without END', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 512 });
    let oversize = 0;
    for (let i = 0; i < 1000; i++) oversize += decoder.push(Buffer.alloc(4096, 0x55)).length;
    expect(oversize).toBe(1);
    expect((decoder as unknown as { packet: Buffer }).packet.length).toBe(MAX_FRAME_BYTES);
  });
});

describe('measureDecoder', () => {
  it('reports frames per second through noise', () => {
    const rate = measureDecoder({ frames: 2000, noiseRatio: 0.2 });
    expect(Number.isFinite(rate)).toBe(true);
    expect(rate).toBeGreaterThan(1000);
  });
});
