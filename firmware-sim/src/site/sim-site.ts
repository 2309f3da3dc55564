import type { DeviceKind } from '@careedge/edge';
import { type Credential, loadSiteFile, parseSiteFile, type SiteDefinition } from '@careedge/gateway';
import { stringify } from 'yaml';

/**
 * What the simulator needs from a site file: who can log in (devices and staff with their plain
 * secrets) and where each device is, read by the gateway's own site-file parser.
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
  /** The serial base station it talks through (`via:`); absent: it talks MQTT. */
  via?: string;
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

export function loadSimSite(file: string): SimSite {
  return simSiteOf(loadSiteFile(file), file);
}

/** A site file as a parsed YAML document (the bench generates one). */
export function parseSimSite(doc: unknown, file = 'site'): SimSite {
  return simSiteOf(parseSiteFile(stringify(doc), file), file);
}

/**
 * The gateway's own reading of the site file (one schema, the same checks and defaults), plus
 * what only the simulator needs: the plain secrets, since it logs in as every device and handset.
 */
function simSiteOf(def: SiteDefinition, file: string): SimSite {
  const problems: string[] = [];
  const secretOf = (c: Credential, where: string) => {
    // A site that only stores `secretHash` cannot be simulated: the hash does not give the password back.
    if ('secret' in c) return c.secret;
    problems.push(`${where}.secret: the simulator needs the plain secret (this entry has none)`);
    return '';
  };
  const devices = def.devices.map((d, i) => ({
    id: d.id,
    kind: d.kind,
    secret: secretOf(d.credential, `devices[${i}]`),
    ...(d.residentId !== undefined ? { residentId: d.residentId } : {}),
    ...(d.roomId !== undefined ? { roomId: d.roomId } : {}),
    ...(d.via !== undefined ? { via: d.via } : {}),
  }));
  const staff = def.staff.map((s, i) => ({
    id: s.id,
    name: s.name,
    firstName: s.firstName,
    secret: secretOf(s.credential, `staff[${i}]`),
  }));
  if (problems.length > 0) throw new SimSiteError(file, problems);
  return {
    id: def.site.id,
    name: def.site.name,
    rooms: new Map(def.rooms.map((r) => [r.id, { id: r.id, name: r.name, zone: r.zoneId }])),
    residents: new Map(def.residents.map((r) => [r.id, { id: r.id, name: r.name, room: r.roomId }])),
    devices,
    staff,
  };
}

/** The room a device is in: a button's own room, or the room of the band's resident. */
export function roomOf(site: SimSite, device: SimDeviceEntry): { id: string; name: string } | undefined {
  const roomId =
    device.roomId ?? (device.residentId ? site.residents.get(device.residentId)?.room : undefined);
  return roomId ? site.rooms.get(roomId) : undefined;
}
