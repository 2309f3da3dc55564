import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/core/db.js';
import {
  generateSecret,
  hashSecret,
  importSite,
  loadSiteFile,
  openRegister,
  parseSiteFile,
  SiteFileError,
  SiteRegister,
  verifySecret,
} from '../src/register/register.js';
import { makeTempDir, openTempDatabase } from './helpers/tmp.js';

const examplePath = new URL('../sites/example.yaml', import.meta.url).pathname;

describe('credentials', () => {
  it('hashes as sha256$<salt>$<digest> with a fresh salt each time, and verifies', () => {
    const a = hashSecret('correct horse battery');
    const b = hashSecret('correct horse battery');
    expect(a).toMatch(/^sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(verifySecret('correct horse battery', a)).toBe(true);
    expect(verifySecret('correct horse battery', b)).toBe(true);
    expect(verifySecret('correct horse batterz', a)).toBe(false);
    expect(verifySecret('', a)).toBe(false);
  });

  it('refuses malformed stored hashes instead of throwing', () => {
    for (const stored of ['', 'plain', 'sha256$$', 'md5$AAAA$BBBB', `sha256$${'A'.repeat(22)}$short`]) {
      expect(verifySecret('anything', stored)).toBe(false);
    }
  });

  it('generates 256-bit base64url secrets', () => {
    const s = generateSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(s);
  });
});

describe('register: import and lookups', () => {
  it('enriches a wristband with resident, room and zone, and a care button with room and zone', () => {
    const { db } = openTempDatabase();
    const register = openRegister(db, examplePath);
    expect(register.site).toEqual({ id: 'sunrise', name: 'Sunrise Court', timezone: 'Europe/London' });
    expect(register.deviceContext('wb-201')).toEqual({
      device: { id: 'wb-201', kind: 'wristband', residentId: 'r-201' },
      resident: { id: 'r-201', name: 'Harold Jenkins', roomId: 'w201' },
      room: { id: 'w201', name: 'Room 201', zoneId: 'west' },
      zone: { id: 'west', name: 'West wing' },
    });
    expect(register.deviceContext('cord-e-bath')).toEqual({
      device: { id: 'cord-e-bath', kind: 'care-button', roomId: 'e-bath' },
      room: { id: 'e-bath', name: 'East shared bathroom', zoneId: 'east' },
      zone: { id: 'east', name: 'East wing' },
    });
    expect(register.deviceContext('wb-999')).toBeUndefined();
    expect(register.device('btn-101')).toEqual({ id: 'btn-101', kind: 'care-button', roomId: 'e101' });
    expect(register.staff('dmitri')).toEqual({
      id: 'dmitri',
      name: 'Dmitri Volkov',
      firstName: 'Dmitri',
      role: 'nurse',
    });
    expect(register.resident('r-101')?.name).toBe('Margaret Hughes');
    expect(register.room('w-lounge')?.zoneId).toBe('west');
    expect(register.zone('east')?.name).toBe('East wing');
    expect(register.allDevices()).toHaveLength(15); // 6 bands, 8 buttons, 1 kiosk
  });

  it('authenticates devices and staff by their secret and refuses wrong or unknown logins', () => {
    const { db } = openTempDatabase();
    const register = openRegister(db, examplePath);
    expect(register.authenticate('wb-101', 'demo-wb-101-secret')).toEqual({ kind: 'device', id: 'wb-101' });
    expect(register.authenticate('anna', 'demo-anna-handset')).toEqual({ kind: 'staff', id: 'anna' });
    expect(register.authenticate('wb-101', 'demo-wb-102-secret')).toBeUndefined();
    expect(register.authenticate('wb-101', '')).toBeUndefined();
    expect(register.authenticate('nobody', 'demo-wb-101-secret')).toBeUndefined();
    expect(register.authenticate('gateway', 'demo-wb-101-secret')).toBeUndefined();
  });

  it('stores only hashes: no plaintext secret is anywhere in the SQLite files', () => {
    const dir = makeTempDir();
    const file = join(dir, 'gateway.sqlite');
    const db = openDatabase(file);
    const site = loadSiteFile(examplePath);
    importSite(db, site);
    const secrets = [...site.devices, ...site.staff].map((x) =>
      'secret' in x.credential ? x.credential.secret : '',
    );
    expect(secrets.filter((s) => s.length >= 16)).toHaveLength(21);
    // Read the database while it is still open (WAL not yet checkpointed), then after closing.
    const bytesOnDisk = () =>
      readdirSync(dir)
        .map((f) => readFileSync(join(dir, f)).toString('latin1'))
        .join('\n');
    const check = (content: string) => {
      expect(content).toContain('Margaret Hughes'); // the search does see the register's text
      expect(content).toContain('sha256$');
      for (const s of secrets) expect(content).not.toContain(s);
    };
    check(bytesOnDisk());
    db.close();
    check(bytesOnDisk());

    // And the register read back from the file still accepts the secrets.
    const reopened = openDatabase(file);
    const register = new SiteRegister(reopened);
    expect(register.authenticate('btn-lounge', 'demo-btn-lounge-secret')).toEqual({
      kind: 'device',
      id: 'btn-lounge',
    });
    reopened.close();
  });

  it('accepts a secretHash from the site file', () => {
    const { db } = openTempDatabase();
    const secret = generateSecret();
    importSite(
      db,
      parseSiteFile(`
site: { id: s1, name: Test, timezone: Europe/Berlin }
zones: [ { id: z, name: Z } ]
rooms: [ { id: r, name: R, zone: z } ]
devices: [ { id: b1, kind: care-button, room: r, secretHash: "${hashSecret(secret)}" } ]
`),
    );
    const register = new SiteRegister(db);
    expect(register.authenticate('b1', secret)).toEqual({ kind: 'device', id: 'b1' });
    expect(register.authenticate('b1', `${secret}x`)).toBeUndefined();
  });

  it('replaces the whole register on import, and keeps the old one when an import fails', () => {
    const { db } = openTempDatabase();
    openRegister(db, examplePath);
    const small = parseSiteFile(`
site: { id: s2, name: Small, timezone: Asia/Shanghai }
zones: [ { id: z, name: Z } ]
rooms: [ { id: r, name: R, zone: z } ]
devices: [ { id: b1, kind: care-button, room: r, secret: "0123456789abcdef" } ]
`);
    importSite(db, small);
    const register = new SiteRegister(db);
    expect(register.site.id).toBe('s2');
    expect(register.device('wb-101')).toBeUndefined();
    expect(register.allDevices().map((d) => d.id)).toEqual(['b1']);

    // A definition that breaks a foreign key half-way through: the transaction rolls back.
    const broken = { ...small, rooms: [{ id: 'r', name: 'R', zoneId: 'no-such-zone' }] };
    expect(() => importSite(db, broken)).toThrow(/FOREIGN KEY/);
    expect(new SiteRegister(db).allDevices().map((d) => d.id)).toEqual(['b1']);
  });

  it('refuses to open an invalid site file and leaves the stored register alone', () => {
    const { db, dir } = openTempDatabase();
    openRegister(db, examplePath);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'site: { id: s3 }\n');
    expect(() => openRegister(db, bad)).toThrow(SiteFileError);
    expect(new SiteRegister(db).site.id).toBe('sunrise');
  });

  it('will not serve an empty register', () => {
    const { db } = openTempDatabase();
    expect(() => new SiteRegister(db)).toThrow(/import a site file first/);
  });
});
