import { Decoder, Encoder } from 'cbor-x';

/**
 * Payloads are CBOR maps holding JSON values: the gateway hands them to ingest as the JSON an
 * MQTT device would have sent. A value JSON cannot say (byte strings, tags such as a standard
 * date, undefined, NaN, integers past 2^53) reads as null, as JSON.stringify writes NaN: ingest's
 * schema then refuses the message, counted and said, and still salvages an alarm in it. Refusing
 * the whole frame here would lose that SOS, and the base station would send it again for ever.
 */

// No records (a cbor-x extension other CBOR libraries cannot read); map sizes in the shortest form.
const encoder = new Encoder({ useRecords: false, variableMapSize: true });
// Maps as Map, so the keys are seen as they were sent (cbor-x would turn 1 into "1").
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false });

/** A payload as the CBOR map the wire carries; values JSON cannot carry are dropped as JSON.stringify would. */
export function encodePayload(payload: Record<string, unknown>): Buffer {
  return encoder.encode(JSON.parse(JSON.stringify(payload)));
}

export class PayloadError extends Error {}

/**
 * The payload as a plain object of JSON values (null for those JSON cannot say); throws a
 * PayloadError saying what and where when it is not one CBOR map with text keys.
 */
export function decodePayload(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (err) {
    throw new PayloadError(`payload is not valid CBOR: ${(err as Error).message}`);
  }
  if (!(value instanceof Map)) throw new PayloadError(`payload must be a CBOR map, got ${kindOf(value)}`);
  return toJson(value, '') as Record<string, unknown>;
}

function toJson(value: unknown, path: string): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      break;
    case 'bigint':
      // A standard CBOR encoder writes a millisecond timestamp as a 64-bit integer; cbor-x reads
      // that as a bigint whatever its size.
      if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER))
        return Number(value);
      break;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v, i) => toJson(v, `${path}/${i}`));
      if (value instanceof Map) {
        const entries: [string, unknown][] = [];
        for (const [k, v] of value) {
          if (typeof k !== 'string')
            throw new PayloadError(`${path || '/'}: map key ${kindOf(k)} is not text`);
          entries.push([k, toJson(v, `${path}/${k}`)]);
        }
        // fromEntries defines own properties: a "__proto__" key is data, never a prototype.
        return Object.fromEntries(entries);
      }
      break;
    default:
      break;
  }
  return null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `integer ${value}`;
  if (typeof value !== 'object') return `a ${typeof value}`;
  if (Array.isArray(value)) return 'an array';
  return `a ${value.constructor?.name ?? 'object'}`;
}
