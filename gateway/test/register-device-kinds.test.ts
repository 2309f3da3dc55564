import { describe, expect, it } from 'vitest';
import { parseSiteFile, SiteFileError } from '../src/register/register.js';
import { SiteRegister } from '../src/register/site-register.js';
import { importSite } from '../src/register/store.js';
import { openTempDatabase } from './helpers/tmp.js';

const site = (devices: string) => `
site: { id: s1, name: Test Home, timezone: Europe/London }
zones: [ { id: east, name: East } ]
rooms: [ { id: e1, name: Room 1, zone: east }, { id: dining, name: Dining room, zone: east } ]
residents: [ { id: r1, name: Ann Lee, room: e1 } ]
devices:
${devices}
`;

const problemsOf = (text: string): string[] => {
  try {
    parseSiteFile(text, 'site.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(SiteFileError);
    return (err as SiteFileError).problems;
  }
  throw new Error('the site file was accepted');
};

describe('site file: kiosks, base stations and the base station a device talks through', () => {
  const good = site(`
  - { id: bs-1, kind: base-station, secret: base-station-secret-1 }
  - { id: wb-1, kind: wristband, resident: r1, via: bs-1, secret: wristband-secret-01 }
  - { id: kiosk-1, kind: kiosk, room: dining, via: bs-1, secret: kiosk-secret-000001 }
  - { id: kiosk-2, kind: kiosk, room: dining, secret: kiosk-secret-000002 }
`);

  it('loads them into the register with their room and base station', () => {
    const { db } = openTempDatabase();
    importSite(db, parseSiteFile(good, 'site.yaml'));
    const register = new SiteRegister(db);
    expect(register.deviceContext('kiosk-1')).toMatchObject({
      device: { kind: 'kiosk', roomId: 'dining', via: 'bs-1' },
      room: { id: 'dining' },
      zone: { id: 'east' },
    });
    expect(register.deviceContext('wb-1')?.device.via).toBe('bs-1');
    expect(register.deviceContext('kiosk-2')?.device.via).toBeUndefined();
    expect(register.deviceContext('bs-1')?.device).toEqual({ id: 'bs-1', kind: 'base-station' });
  });

  it('refuses a kiosk without a room, and a via that is not a base station', () => {
    expect(
      problemsOf(
        site(`
  - { id: bs-1, kind: base-station, secret: base-station-secret-1 }
  - { id: kiosk-1, kind: kiosk, secret: kiosk-secret-000001 }
  - { id: wb-1, kind: wristband, resident: r1, via: kiosk-1, secret: wristband-secret-01 }
  - { id: bs-2, kind: base-station, resident: r1, via: bs-1, secret: base-station-secret-2 }
`),
      ),
    ).toEqual([
      'devices[1].room: is required for a kiosk',
      'devices[2].via: "kiosk-1" is not a base-station in devices',
      'devices[3].resident: a base-station belongs to no resident',
      'devices[3].via: a base-station does not talk through another',
    ]);
  });
});
