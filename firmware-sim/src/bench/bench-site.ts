import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { parseSimSite, type SimSite } from '../site/sim-site.js';

export interface BenchSiteOptions {
  devices: number;
  zones?: number;
  /** Site id and name (default "bench"). */
  id?: string;
  name?: string;
  /** IANA time zone of the site (default UTC). */
  timezone?: string;
  /** Makes each secret; a seeded one gives a repeatable file (default: random bytes). */
  secret?: () => string;
  /**
   * Wristbands behind a serial base station (`SERIAL_BASE_STATION`), each with its own resident
   * and room in the first zone, after the MQTT ones (default 0: no base station).
   */
  serialBands?: number;
}

/** The base station of the serial bench, in the bench site when it has serial bands. */
export const SERIAL_BASE_STATION = 'bs-bench';

/**
 * A synthetic site for load: one resident, room and wristband per device, a few zones, two
 * responders per zone and a supervisor, all on call around the clock (a roster line without
 * days/from/to is always on), so every SOS has somebody to go to at whatever hour the bench runs.
 * Each band having its own resident is what lets the load generator tell whose SOS a dispatch
 * answers.
 */
export function benchSite({
  devices,
  zones = 4,
  id = 'bench',
  name = 'CareEdge bench site',
  timezone = 'UTC',
  secret = () => randomBytes(18).toString('base64url'),
  serialBands = 0,
}: BenchSiteOptions): { yaml: string; site: SimSite } {
  const pad = (n: number) => String(n).padStart(String(devices).length, '0');
  const zoneIds = Array.from({ length: zones }, (_, z) => `zone-${z + 1}`);
  const zoneOf = (i: number) => zoneIds[Math.floor((i * zones) / devices)]!;
  const serial = Array.from({ length: serialBands }, (_, i) => i + 1);
  const doc = {
    site: { id, name, timezone },
    zones: zoneIds.map((id, z) => ({ id, name: `Zone ${z + 1}` })),
    rooms: [
      ...Array.from({ length: devices }, (_, i) => ({
        id: `room-${pad(i + 1)}`,
        name: `Room ${pad(i + 1)}`,
        zone: zoneOf(i),
      })),
      ...serial.map((n) => ({ id: `room-s${n}`, name: `Room S${n}`, zone: zoneIds[0] })),
    ],
    residents: [
      ...Array.from({ length: devices }, (_, i) => ({
        id: `r-${pad(i + 1)}`,
        name: `Resident ${pad(i + 1)}`,
        room: `room-${pad(i + 1)}`,
      })),
      ...serial.map((n) => ({ id: `r-s${n}`, name: `Resident S${n}`, room: `room-s${n}` })),
    ],
    devices: [
      ...Array.from({ length: devices }, (_, i) => ({
        id: `wb-${pad(i + 1)}`,
        kind: 'wristband',
        resident: `r-${pad(i + 1)}`,
        secret: secret(),
      })),
      ...(serialBands > 0 ? [{ id: SERIAL_BASE_STATION, kind: 'base-station', secret: secret() }] : []),
      ...serial.map((n) => ({
        id: `wb-s${n}`,
        kind: 'wristband',
        resident: `r-s${n}`,
        via: SERIAL_BASE_STATION,
        secret: secret(),
      })),
    ],
    staff: [
      ...zoneIds.flatMap((z) =>
        [1, 2].map((n) => ({
          id: `${z}-carer-${n}`,
          name: `Carer ${n} ${z}`,
          role: 'carer',
          secret: secret(),
        })),
      ),
      { id: 'supervisor', name: 'Shift Supervisor', role: 'supervisor', secret: secret() },
    ],
    roster: [
      ...zoneIds.flatMap((z) => [1, 2].map((n) => ({ staff: `${z}-carer-${n}`, zones: [z], rank: n }))),
      { staff: 'supervisor', supervisor: true },
    ],
  };
  return { yaml: stringify(doc), site: parseSimSite(doc, `${id} site`) };
}
