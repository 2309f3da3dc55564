import {
  type FieldOf,
  type FieldType,
  MEASUREMENTS,
  type MeasurementName,
  type MeasurementSpec,
  type TagOf,
} from './measurements.js';

// InfluxDB line protocol: https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/
// Tag keys and values escape commas, equals signs and spaces; a backslash is kept as it is.
const escapeTag = (s: string) => s.replace(/[,= ]/g, '\\$&');

/**
 * The last millisecond InfluxDB can store (its times are int64 nanoseconds: up to 2262-04-11),
 * less one so that any sub-millisecond part still fits.
 */
export const LATEST_MS = 9_223_372_036_853;

/**
 * A nanosecond timestamp from milliseconds and a sub-millisecond part (0 … 999,999), as a string:
 * ms × 10⁶ exceeds 2⁵³, so it is written as digits rather than computed.
 */
export function nanos(ms: number, sub: number): string {
  return `${Math.trunc(ms)}${String(Math.trunc(sub) % 1_000_000).padStart(6, '0')}`;
}

function fieldValue(type: FieldType, v: number | boolean): string | undefined {
  switch (type) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'integer':
      // Beyond 2^53 a number is no longer exact, and from 1e21 on JavaScript writes it as "1e+21".
      return Number.isSafeInteger(v) ? `${v as number}i` : undefined;
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
  }
}

/** Tag keys sorted (InfluxDB's own order, so it need not sort them on every write) and field types, per measurement. */
const layouts = new Map<MeasurementName, { tagKeys: string[]; fields: [string, FieldType][] }>();
function layoutOf(m: MeasurementName) {
  let layout = layouts.get(m);
  if (!layout) {
    const spec = MEASUREMENTS[m] as MeasurementSpec;
    layout = {
      tagKeys: Object.keys(spec.tags).sort(),
      fields: Object.entries(spec.fields).map(([k, v]) => [k, v.type]),
    };
    layouts.set(m, layout);
  }
  return layout;
}

/**
 * One point as a line. Tags and fields are typed by the measurement's definition; undefined ones
 * are left out (an unknown value is no value). Returns undefined for a point with no field, which
 * InfluxDB would refuse.
 */
export function encodeLine<M extends MeasurementName>(
  measurement: M,
  tags: Partial<Record<TagOf<M>, string | undefined>>,
  fields: Partial<Record<FieldOf<M>, number | boolean | undefined>>,
  timestampNs: string,
): string | undefined {
  return encodeAfterHead(lineHead(measurement, tags), measurement, fields, timestampNs);
}

/**
 * A line's measurement and tags (`wristband_vitals,device_kind=…,site=…`): the same for every
 * point of a device, so a caller may keep it and finish each point with encodeAfterHead.
 */
export function lineHead<M extends MeasurementName>(
  measurement: M,
  tags: Partial<Record<TagOf<M>, string | undefined>>,
): string {
  let line: string = measurement;
  const t = tags as Record<string, string | undefined>;
  for (const key of layoutOf(measurement).tagKeys) {
    const v = t[key];
    if (v !== undefined && v !== '') line += `,${key}=${escapeTag(v)}`;
  }
  return line;
}

/** The rest of a line after its head (see lineHead); undefined for a point with no field. */
export function encodeAfterHead<M extends MeasurementName>(
  head: string,
  measurement: M,
  fields: Partial<Record<FieldOf<M>, number | boolean | undefined>>,
  timestampNs: string,
): string | undefined {
  let line = head;
  let sep = ' ';
  const f = fields as Record<string, number | boolean | undefined>;
  for (const [key, type] of layoutOf(measurement).fields) {
    const v = f[key];
    if (v === undefined) continue;
    const text = fieldValue(type, v);
    if (text === undefined) continue;
    line += `${sep}${key}=${text}`;
    sep = ',';
  }
  return sep === ' ' ? undefined : `${line} ${timestampNs}`;
}
