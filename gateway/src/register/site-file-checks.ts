import { describeValue } from '@careedge/edge';

/**
 * Checks a JSON Schema cannot express: ids unique within each list and across the MQTT username
 * space, references between lists, device kind rules, credentials and the time zone. Each problem
 * is a `path: message` line. The document may also have schema errors, so every read here is
 * defensive: a field of the wrong type is skipped (Ajv already reported it), never trusted.
 */

/** The MQTT username of the gateway's own client; no device or staff member may take it. */
export const GATEWAY_USERNAME = 'gateway';

type Loose = Record<string, unknown>;

const list = (doc: Loose, key: string): Loose[] => {
  const v = doc[key];
  return Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x !== null ? (x as Loose) : {})) : [];
};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Ids of one list → where each was first defined; reports duplicates. */
function indexIds(doc: Loose, key: string, problems: string[]): Map<string, string> {
  const seen = new Map<string, string>();
  list(doc, key).forEach((item, i) => {
    const id = str(item.id);
    if (id === undefined) return;
    const first = seen.get(id);
    if (first) problems.push(`${key}[${i}].id: duplicate id ${describeValue(id)} (first used at ${first})`);
    else seen.set(id, `${key}[${i}]`);
  });
  return seen;
}

function checkReference(
  ids: Map<string, string>,
  value: unknown,
  path: string,
  what: string,
  problems: string[],
): void {
  const ref = str(value);
  if (ref !== undefined && !ids.has(ref)) problems.push(`${path}: unknown ${what} ${describeValue(ref)}`);
}

function checkCredential(item: Loose, path: string, problems: string[]): void {
  const has = (k: string) => item[k] !== undefined;
  if (has('secret') && has('secretHash')) problems.push(`${path}: give secret or secretHash, not both`);
  if (!has('secret') && !has('secretHash')) problems.push(`${path}: needs secret or secretHash`);
}

export function crossCheck(doc: Loose): string[] {
  const problems: string[] = [];
  const site = typeof doc.site === 'object' && doc.site !== null ? (doc.site as Loose) : {};
  const tz = str(site.timezone);
  if (tz && !isValidTimeZone(tz)) {
    problems.push(
      `site.timezone: unknown time zone ${describeValue(tz)} (use an IANA name such as Europe/London)`,
    );
  }

  const zones = indexIds(doc, 'zones', problems);
  const rooms = indexIds(doc, 'rooms', problems);
  const residents = indexIds(doc, 'residents', problems);
  const devices = indexIds(doc, 'devices', problems);
  const staff = indexIds(doc, 'staff', problems);

  // Devices and handsets log in to the same broker with their id as the MQTT username.
  for (const ids of [devices, staff]) {
    const where = ids.get(GATEWAY_USERNAME);
    if (where)
      problems.push(`${where}.id: "${GATEWAY_USERNAME}" is reserved for the gateway's own MQTT login`);
  }
  for (const [id, where] of staff) {
    const device = devices.get(id);
    if (device) {
      problems.push(
        `${where}.id: ${describeValue(id)} is also a device id (${device}); devices and staff share one MQTT username space`,
      );
    }
  }

  list(doc, 'rooms').forEach((r, i) => {
    checkReference(zones, r.zone, `rooms[${i}].zone`, 'zone', problems);
  });
  list(doc, 'residents').forEach((r, i) => {
    checkReference(rooms, r.room, `residents[${i}].room`, 'room', problems);
  });

  const baseStations = new Set(
    list(doc, 'devices')
      .filter((d) => d.kind === 'base-station')
      .map((d) => d.id),
  );
  list(doc, 'devices').forEach((d, i) => {
    const path = `devices[${i}]`;
    if (d.kind === 'wristband') {
      if (d.resident === undefined) problems.push(`${path}.resident: is required for a wristband`);
      if (d.room !== undefined) {
        problems.push(`${path}.room: a wristband follows its resident; give resident, not room`);
      }
    } else if (d.kind === 'care-button' || d.kind === 'kiosk') {
      if (d.room === undefined) problems.push(`${path}.room: is required for a ${d.kind}`);
      if (d.resident !== undefined) {
        problems.push(`${path}.resident: a ${d.kind} belongs to a room; give room, not resident`);
      }
    } else if (d.kind === 'base-station') {
      if (d.resident !== undefined) problems.push(`${path}.resident: a base-station belongs to no resident`);
      if (d.via !== undefined) problems.push(`${path}.via: a base-station does not talk through another`);
    }
    if (d.via !== undefined) {
      if (!baseStations.has(d.via)) {
        problems.push(`${path}.via: "${d.via}" is not a base-station in devices`);
      }
    }
    checkReference(residents, d.resident, `${path}.resident`, 'resident', problems);
    checkReference(rooms, d.room, `${path}.room`, 'room', problems);
    checkCredential(d, path, problems);
  });

  list(doc, 'staff').forEach((s, i) => {
    checkCredential(s, `staff[${i}]`, problems);
  });

  list(doc, 'roster').forEach((r, i) => {
    const path = `roster[${i}]`;
    checkReference(staff, r.staff, `${path}.staff`, 'staff member', problems);
    const zoneList = Array.isArray(r.zones) ? r.zones : undefined;
    zoneList?.forEach((z, j) => {
      checkReference(zones, z, `${path}.zones[${j}]`, 'zone', problems);
    });
    if (r.supervisor === true && zoneList) {
      problems.push(`${path}: give zones (a responder line) or supervisor: true, not both`);
    } else if (r.supervisor !== true && r.zones === undefined) {
      problems.push(`${path}.zones: is required unless supervisor: true`);
    }
  });

  return problems;
}
