import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  hashSecret,
  loadSiteFile,
  parseSiteFile,
  type SiteDefinition,
  SiteFileError,
} from '../src/register/register.js';
import { makeTempDir } from './helpers/tmp.js';

const examplePath = new URL('../sites/example.yaml', import.meta.url).pathname;

/** The problems a site file text is refused with (fails the test when it is accepted). */
function problemsOf(text: string): string[] {
  try {
    parseSiteFile(text, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(SiteFileError);
    expect((err as SiteFileError).file).toBe('test.yaml');
    return (err as SiteFileError).problems;
  }
  throw new Error('the site file was accepted');
}

const minimal = `
site: { id: s1, name: Test Home, timezone: Europe/London }
zones: [ { id: east, name: East } ]
rooms: [ { id: e1, name: Room 1, zone: east } ]
`;

describe('site file: the example site', () => {
  const site: SiteDefinition = loadSiteFile(examplePath);

  it('loads Sunrise Court with its zones, rooms, residents, devices, staff and roster', () => {
    expect(site.site).toEqual({ id: 'sunrise', name: 'Sunrise Court', timezone: 'Europe/London' });
    expect(site.zones.map((z) => z.id)).toEqual(['east', 'west']);
    expect(site.rooms).toHaveLength(8);
    expect(site.residents).toHaveLength(6);
    expect(site.staff).toHaveLength(6);
    expect(new Set(site.staff.map((s) => s.role))).toEqual(new Set(['carer', 'nurse', 'supervisor']));
    expect(site.roster.length).toBeGreaterThan(0);
  });

  it('gives every resident a wristband and every resident room a care button', () => {
    for (const resident of site.residents) {
      expect(site.devices.filter((d) => d.kind === 'wristband' && d.residentId === resident.id)).toHaveLength(
        1,
      );
      expect(site.devices.some((d) => d.kind === 'care-button' && d.roomId === resident.roomId)).toBe(true);
    }
  });

  it('has a pull-cord care button in a shared bathroom nobody lives in', () => {
    const bathroom = site.rooms.find((r) => /bathroom/i.test(r.name));
    expect(bathroom).toBeDefined();
    expect(site.residents.some((r) => r.roomId === bathroom!.id)).toBe(false);
    expect(site.devices.some((d) => d.kind === 'care-button' && d.roomId === bathroom!.id)).toBe(true);
  });
});

describe('site file: defaults', () => {
  it('applies rank = position, every day, always on, and firstName = first word of name', () => {
    const site = parseSiteFile(`${minimal}
staff:
  - { id: sam, name: Sam Lee Jones, role: supervisor, secret: "0123456789abcdef" }
  - { id: ann, name: Ann Berg, role: carer, secret: "0123456789abcdef" }
roster:
  - { staff: sam, supervisor: true }
  - { staff: ann, zones: [east], from: "19:00" }
  - { staff: ann, zones: [east], rank: 7, days: [sun, mon], to: "07:00" }
`);
    expect(site.staff[0]!.firstName).toBe('Sam');
    expect(site.roster).toEqual([
      {
        staffId: 'sam',
        zoneIds: [],
        supervisor: true,
        rank: 1,
        days: [1, 2, 3, 4, 5, 6, 7],
        fromMin: 0,
        toMin: 1440,
      },
      {
        staffId: 'ann',
        zoneIds: ['east'],
        supervisor: false,
        rank: 2,
        days: [1, 2, 3, 4, 5, 6, 7],
        fromMin: 1140,
        toMin: 1440,
      },
      { staffId: 'ann', zoneIds: ['east'], supervisor: false, rank: 7, days: [1, 7], fromMin: 0, toMin: 420 },
    ]);
  });

  it('keeps a secretHash as given and a plaintext secret as a secret to hash on import', () => {
    const hash = hashSecret('0123456789abcdef-xyz');
    const site = parseSiteFile(`${minimal}
devices:
  - { id: b1, kind: care-button, room: e1, secretHash: "${hash}" }
  - { id: b2, kind: care-button, room: e1, secret: "0123456789abcdef" }
`);
    expect(site.devices.map((d) => d.credential)).toEqual([
      { secretHash: hash },
      { secret: '0123456789abcdef' },
    ]);
  });
});

describe('site file: problems are reported as path: message lines, all at once', () => {
  it('lists schema and cross-reference problems together, in file order', () => {
    const problems = problemsOf(`
site: { id: "sunrise court", name: Sunrise Court, timezone: Europe/Lodnon }
zones:
  - { id: east, name: East wing }
  - { id: east, name: East again }
rooms:
  - { id: e101, name: Room 101, zone: north }
residents:
  - { id: r-101, name: Margaret Hughes, room: e101, age: 91 }
devices:
  - { id: wb-101, kind: wristband, resident: r-101, secret: "0123456789abcdef" }
  - { id: wb-102, kind: wristband, room: e101, secret: "0123456789abcdef" }
  - { id: btn-101, kind: button, room: e101, secret: "0123456789abcdef" }
  - { id: wb-103, kind: wristband, resident: r-9, secret: "0123456789abcdef" }
  - { id: btn-102, kind: care-button, room: e101 }
  - { id: gateway, kind: care-button, room: e101, secret: "0123456789abcdef" }
staff:
  - { id: wb-101, name: Anna Berg, role: carer, secret: "0123456789abcdef" }
  - { id: sam, name: Sam Lee, role: boss, secret: "0123456789abcdef", secretHash: "sha256$x$y" }
roster:
  - { staff: anna, zones: [east], rank: 1, from: "07:00", to: "19:00" }
  - { staff: sam, supervisor: true, from: "7:00", to: "24:30", days: [mon, funday] }
  - { staff: sam, zones: [west], supervisor: true }
  - { staff: sam }
`);
    expect(problems).toEqual([
      'site.id: must be 1-64 letters, digits, "_" or "-" (got "sunrise court")',
      'site.timezone: unknown time zone "Europe/Lodnon" (use an IANA name such as Europe/London)',
      'zones[1].id: duplicate id "east" (first used at zones[0])',
      'rooms[0].zone: unknown zone "north"',
      'residents[0]: unknown property "age"',
      'devices[1].resident: is required for a wristband',
      'devices[1].room: a wristband follows its resident; give resident, not room',
      'devices[2].kind: must be one of wristband, care-button, kiosk, base-station (got "button")',
      'devices[3].resident: unknown resident "r-9"',
      'devices[4]: needs secret or secretHash',
      'devices[5].id: "gateway" is reserved for the gateway\'s own MQTT login',
      'staff[0].id: "wb-101" is also a device id (devices[0]); devices and staff share one MQTT username space',
      'staff[1].role: must be one of carer, nurse, supervisor (got "boss")',
      'staff[1].secretHash: must be sha256$<salt>$<hash> as made by the gateway (got a string)',
      'staff[1]: give secret or secretHash, not both',
      'roster[0].staff: unknown staff member "anna"',
      'roster[1].days[1]: must be one of mon, tue, wed, thu, fri, sat, sun (got "funday")',
      'roster[1].from: must be HH:MM (00:00 to 23:59) (got "7:00")',
      'roster[1].to: must be HH:MM (00:00 to 24:00) (got "24:30")',
      'roster[2].zones[0]: unknown zone "west"',
      'roster[2]: give zones (a responder line) or supervisor: true, not both',
      'roster[3].zones: is required unless supervisor: true',
    ]);
  });

  it('reports missing sections and wrong types with the path', () => {
    expect(problemsOf('site: { id: s1, name: Test }\nrooms: {}\n')).toEqual([
      'site.timezone: is required',
      'zones: is required',
      'rooms: must be a list (got a mapping)',
    ]);
    expect(problemsOf('')).toEqual(['(top level): must be a mapping (got null)']);
  });

  it('rejects a short secret without echoing it', () => {
    const problems = problemsOf(
      `${minimal}devices: [ { id: b1, kind: care-button, room: e1, secret: hunter2 } ]\n`,
    );
    expect(problems).toEqual(['devices[0].secret: must be at least 16 characters long']);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('reports YAML errors (here a key given twice) with line and column', () => {
    expect(problemsOf(`${minimal}zones: [ { id: west, name: West } ]\n`)).toEqual([
      'line 5, column 1: Map keys must be unique',
    ]);
  });

  it('names the file in the error when loading from disk', () => {
    const dir = makeTempDir();
    const file = join(dir, 'broken-site.yaml');
    writeFileSync(file, `${minimal}roster: [ { staff: nobody, supervisor: true } ]\n`);
    expect(() => loadSiteFile(file)).toThrowError(
      /^broken-site\.yaml: the site file is not valid:\n {2}- roster\[0\]\.staff: unknown staff member "nobody"$/,
    );
  });

  it('refuses a missing file with a problem line instead of a stack trace', () => {
    const file = join(makeTempDir(), 'no-such-site.yaml');
    expect(() => loadSiteFile(file)).toThrowError(SiteFileError);
    try {
      loadSiteFile(file);
    } catch (err) {
      expect((err as SiteFileError).problems).toEqual([`${file}: cannot read the site file (no such file)`]);
    }
  });
});
