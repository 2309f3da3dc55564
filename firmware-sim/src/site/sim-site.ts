import { readFileSync } from 'node:fs';
import type { DeviceKind } from '@careedge/edge';
import { parse as parseYaml } from 'yaml';

/**
 * What the simulator needs from a site file: who can log in (devices and staff with their plain
 * secrets) and where each device is. The gateway validates the file strictly; this reader only
 * checks what the simulator relies on, so it keeps working as the site format grows.
 */
export interface SimSite {
  id: string;
  name: string;
  rooms: Map<string, { id: string; name: string; zone: string }>;
  residents: Map<string, { id: string; name: string; room: string }>;
  devices: SimDeviceEntry[];
  staff: SimStaffEntry[];
}

export interface SimDeviceEntry {
  id: string;
  kind: DeviceKind;
  secret: string;
  residentId?: string;
  roomId?: string;
}

export interface SimStaffEntry {
  id: string;
  name: string;
  firstName: string;
  secret: string;
}

export class SimSiteError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: cannot simulate this site:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'SimSiteError';
  }
}

type Raw = Record<string, unknown>;
const list = (v: unknown): Raw[] => (Array.isArray(v) ? (v as Raw[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function loadSimSite(file: string): SimSite {
  return parseSimSite(parseYaml(readFileSync(file, 'utf8')), file);
}

export function parseSimSite(doc: unknown, file = 'site'): SimSite {
  const problems: string[] = [];
  const root = (doc ?? {}) as Raw;
  const site = (root.site ?? {}) as Raw;
  const id = str(site.id);
  if (!id) problems.push('site.id: missing');

  const rooms = new Map(
    list(root.rooms).map((r) => [
      String(r.id),
      { id: String(r.id), name: String(r.name ?? r.id), zone: String(r.zone) },
    ]),
  );
  const residents = new Map(
    list(root.residents).map((r) => [
      String(r.id),
      { id: String(r.id), name: String(r.name ?? r.id), room: String(r.room) },
    ]),
  );

  const devices: SimDeviceEntry[] = [];
  list(root.devices).forEach((d, i) => {
    const where = `devices[${i}]`;
    const secret = str(d.secret);
    const kind = d.kind;
    if (kind !== 'wristband' && kind !== 'care-button') {
      problems.push(
        `${where}.kind: the simulator knows wristband and care-button, not ${JSON.stringify(kind)}`,
      );
      return;
    }
    // A site that only stores `secretHash` cannot be simulated: the hash does not give the password back.
    if (!secret) {
      problems.push(`${where}.secret: the simulator needs the plain secret (this entry has none)`);
      return;
    }
    devices.push({
      id: String(d.id),
      kind,
      secret,
      ...(str(d.resident) ? { residentId: str(d.resident) } : {}),
      ...(str(d.room) ? { roomId: str(d.room) } : {}),
    });
  });

  const staff: SimStaffEntry[] = [];
  list(root.staff).forEach((s, i) => {
    const secret = str(s.secret);
    if (!secret) {
      problems.push(`staff[${i}].secret: the simulator needs the plain handset secret (this entry has none)`);
      return;
    }
    const name = String(s.name ?? s.id);
    staff.push({ id: String(s.id), name, firstName: str(s.firstName) ?? name.split(' ')[0]!, secret });
  });

  if (problems.length > 0) throw new SimSiteError(file, problems);
  return { id: id!, name: str(site.name) ?? id!, rooms, residents, devices, staff };
}

/** The room a device is in: a button's own room, or the room of the band's resident. */
export function roomOf(site: SimSite, device: SimDeviceEntry): { id: string; name: string } | undefined {
  const roomId =
    device.roomId ?? (device.residentId ? site.residents.get(device.residentId)?.room : undefined);
  return roomId ? site.rooms.get(roomId) : undefined;
}
