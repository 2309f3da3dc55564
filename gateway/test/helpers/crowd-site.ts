import { stringify } from 'yaml';

export interface CrowdSite {
  siteId: string;
  yaml: string;
  /** The wristbands, each worn by its own resident in its own room. */
  bands: { id: string; secret: string }[];
}

/**
 * A site with many wristbands for load and crash tests: one resident, room and band each, two
 * zones with a carer each and a supervisor, all always on shift. One resident per band is what
 * makes "one open alert per band" the expected end state of an SOS from every band.
 */
export function crowdSite(bandCount: number, siteId = 'crowd'): CrowdSite {
  const pad = (n: number) => String(n).padStart(String(bandCount).length, '0');
  const zoneOf = (i: number) => (i % 2 === 0 ? 'east' : 'west');
  const bands = Array.from({ length: bandCount }, (_, i) => {
    const id = `wb-${pad(i + 1)}`;
    return { id, secret: `${id}-secret-0123456789` };
  });
  const doc = {
    site: { id: siteId, name: 'Crowd House', timezone: 'UTC' },
    zones: [
      { id: 'east', name: 'East wing' },
      { id: 'west', name: 'West wing' },
    ],
    rooms: bands.map((_, i) => ({ id: `room-${pad(i + 1)}`, name: `Room ${i + 1}`, zone: zoneOf(i) })),
    residents: bands.map((_, i) => ({
      id: `r-${pad(i + 1)}`,
      name: `Resident ${i + 1}`,
      room: `room-${pad(i + 1)}`,
    })),
    devices: bands.map((b, i) => ({
      id: b.id,
      kind: 'wristband',
      resident: `r-${pad(i + 1)}`,
      secret: b.secret,
    })),
    staff: [
      { id: 'east-carer', name: 'East Carer', role: 'carer', secret: 'east-carer-secret-0123456789' },
      { id: 'west-carer', name: 'West Carer', role: 'carer', secret: 'west-carer-secret-0123456789' },
      {
        id: 'supervisor',
        name: 'Shift Supervisor',
        role: 'supervisor',
        secret: 'supervisor-secret-0123456789',
      },
    ],
    roster: [
      { staff: 'east-carer', zones: ['east'], rank: 1 },
      { staff: 'west-carer', zones: ['west'], rank: 1 },
      { staff: 'supervisor', supervisor: true },
    ],
  };
  return { siteId, yaml: stringify(doc), bands };
}
