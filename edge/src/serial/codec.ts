import type { TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import crc16ccitt from 'crc/crc16ccitt';
import { IdPattern } from '../protocol/common.js';
import { formatSchemaErrors, pointerPath, printable } from '../schema-errors.js';
import { decodePayload, encodePayload, PayloadError } from './cbor-payload.js';
import {
  FRAME_TYPES,
  frameTypeOfByte,
  LINK_PAYLOADS,
  MAX_FRAME_BYTES,
  SERIAL_PROTOCOL_VERSION,
  type SerialFrame,
} from './frames.js';
import { slipEncode } from './slip.js';

/**
 * Frame layout before SLIP: version u8 | type u8 | idLen u8 | deviceId | linkSeq u32 BE |
 * payload (CBOR map) | CRC-16/CCITT-FALSE u16 BE over every byte before it.
 */
const HEADER_BYTES = 3;
const SEQ_BYTES = 4;
const CRC_BYTES = 2;
/** One-character id and an empty map (0xA0). */
export const MIN_FRAME_BYTES = HEADER_BYTES + 1 + SEQ_BYTES + 1 + CRC_BYTES;

const ID = new RegExp(IdPattern);

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR (check 0x29B1). */
export const frameCrc = (bytes: Buffer): number => crc16ccitt(bytes);

/** The frame's bytes before SLIP escaping; throws on what only a sender's bug produces. */
export function frameBytes(frame: SerialFrame): Buffer {
  const typeByte = FRAME_TYPES[frame.type];
  if (typeByte === undefined) throw new Error(`serial frame: unknown type "${frame.type}"`);
  if (!ID.test(frame.deviceId))
    throw new Error(`serial frame: device id "${frame.deviceId}" does not match ${IdPattern}`);
  if (!Number.isInteger(frame.linkSeq) || frame.linkSeq < 0 || frame.linkSeq > 0xffff_ffff)
    throw new Error(`serial frame: linkSeq ${frame.linkSeq} is not a u32`);
  const payload = encodePayload(frame.payload);
  const idLen = frame.deviceId.length;
  const length = HEADER_BYTES + idLen + SEQ_BYTES + payload.length + CRC_BYTES;
  if (length > MAX_FRAME_BYTES)
    throw new Error(
      `serial frame: ${frame.type} for ${frame.deviceId} is ${length} bytes, more than ${MAX_FRAME_BYTES}`,
    );
  const out = Buffer.allocUnsafe(length);
  out[0] = SERIAL_PROTOCOL_VERSION;
  out[1] = typeByte;
  out[2] = idLen;
  out.write(frame.deviceId, HEADER_BYTES, 'latin1');
  let at = HEADER_BYTES + idLen;
  at = out.writeUInt32BE(frame.linkSeq, at);
  at += payload.copy(out, at);
  out.writeUInt16BE(frameCrc(out.subarray(0, at)), at);
  return out;
}

/** A frame as bytes to write to the line: escaped, with an END before and after. */
export const encodeFrame = (frame: SerialFrame): Buffer => slipEncode(frameBytes(frame));

/** Why a packet is not a frame: the decoder's reasons, which the gateway counts per port. */
export const FRAME_REJECTIONS = {
  'bad-crc': 'The CRC does not match: line noise, a cut frame, a wrong baud rate.',
  oversize: `More than ${MAX_FRAME_BYTES} bytes (unescaped) before END; reported when the limit is crossed, the rest up to the next END is skipped.`,
  'unknown-type': 'Good CRC and version, but a type byte v1 does not know.',
  'bad-version': `Good CRC, but the version byte is not ${SERIAL_PROTOCOL_VERSION}.`,
  malformed:
    'Anything else: shorter than 11 bytes, idLen past the end, an id outside IdPattern, a payload that is not one CBOR map with text keys, a hello/ack/nack payload not as specified, an ESC not followed by 0xDC or 0xDD.',
} as const;
export type FrameRejection = keyof typeof FRAME_REJECTIONS;
export type ParsedFrame =
  | { ok: true; frame: SerialFrame }
  | { ok: false; reason: FrameRejection; detail: string };

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const linkValidators = new Map(
  Object.entries(LINK_PAYLOADS).map(([type, schema]) => [type, ajv.compile(schema as TSchema)]),
);

// A hello's secret is never quoted back into a log line.
const linkStyle = { path: pointerPath, hide: (pointer: string) => pointer === '/secret' };

const rejected = (reason: FrameRejection, detail: string): ParsedFrame => ({
  ok: false,
  reason,
  detail: printable(detail, 200),
});

/**
 * Reads one unescaped frame. The CRC is checked first: a frame that fails it is line noise, and
 * nothing else in it can be trusted (not even its version byte).
 */
export function parseFrame(bytes: Uint8Array): ParsedFrame {
  if (bytes.length > MAX_FRAME_BYTES)
    return rejected('oversize', `${bytes.length} bytes, more than ${MAX_FRAME_BYTES}`);
  if (bytes.length < MIN_FRAME_BYTES)
    return rejected(
      'malformed',
      `${bytes.length} bytes, shorter than the shortest frame (${MIN_FRAME_BYTES})`,
    );
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const end = bytes.length - CRC_BYTES;
  const sent = view.readUInt16BE(end);
  const computed = frameCrc(view.subarray(0, end));
  if (sent !== computed) return rejected('bad-crc', `CRC 0x${hex4(sent)}, computed 0x${hex4(computed)}`);
  if (view[0] !== SERIAL_PROTOCOL_VERSION)
    return rejected('bad-version', `version ${view[0]}, this gateway speaks ${SERIAL_PROTOCOL_VERSION}`);
  const type = frameTypeOfByte(view[1]!);
  if (type === undefined)
    return rejected('unknown-type', `type byte 0x${view[1]!.toString(16).padStart(2, '0')}`);
  const idLen = view[2]!;
  const seqAt = HEADER_BYTES + idLen;
  if (seqAt + SEQ_BYTES >= end)
    return rejected('malformed', `idLen ${idLen} leaves no room for linkSeq and payload`);
  const deviceId = view.toString('latin1', HEADER_BYTES, seqAt);
  if (!ID.test(deviceId)) return rejected('malformed', `device id "${deviceId}" does not match ${IdPattern}`);
  const linkSeq = view.readUInt32BE(seqAt);
  let payload: Record<string, unknown>;
  try {
    payload = decodePayload(view.subarray(seqAt + SEQ_BYTES, end));
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err;
    return rejected('malformed', `${type} from ${deviceId}: ${err.message}`);
  }
  const validate = linkValidators.get(type);
  if (validate && !validate(payload))
    return rejected(
      'malformed',
      `${type} from ${deviceId}: ${formatSchemaErrors(validate.errors, linkStyle).join('; ')}`,
    );
  return { ok: true, frame: { type, deviceId, linkSeq, payload } };
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
