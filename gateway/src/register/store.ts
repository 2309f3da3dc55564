import { createHash } from 'node:crypto';
import { type Db, migrate } from '../core/db.js';
import { hashSecret } from './credentials.js';
import type { SiteDefinition } from './site-file.js';

/**
 * The register's SQLite tables. Only secret hashes are stored, never a plaintext secret. The
 * whole register is replaced on every import, so other modules should keep ids in their own
 * rows (alerts keep the resident id and a copy of the name) rather than foreign keys into these
 * tables.
 */
const migrations = [
  {
    name: 'register-1',
    sql: `
      CREATE TABLE register_site (
        only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL,
        imported_at INTEGER NOT NULL
      );
      CREATE TABLE register_zones (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        position INTEGER NOT NULL
      );
      CREATE TABLE register_rooms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        zone_id TEXT NOT NULL REFERENCES register_zones (id),
        position INTEGER NOT NULL
      );
      CREATE TABLE register_residents (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        room_id TEXT NOT NULL REFERENCES register_rooms (id),
        position INTEGER NOT NULL
      );
      CREATE TABLE register_staff (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        first_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('carer', 'nurse', 'supervisor')),
        secret_hash TEXT NOT NULL,
        position INTEGER NOT NULL
      );
      CREATE TABLE register_devices (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('wristband', 'care-button')),
        resident_id TEXT REFERENCES register_residents (id),
        room_id TEXT REFERENCES register_rooms (id),
        secret_hash TEXT NOT NULL,
        position INTEGER NOT NULL,
        CHECK ((kind = 'wristband') = (resident_id IS NOT NULL AND room_id IS NULL)),
        CHECK ((kind = 'care-button') = (room_id IS NOT NULL AND resident_id IS NULL))
      );
      CREATE TABLE register_roster (
        position INTEGER PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES register_staff (id),
        supervisor INTEGER NOT NULL CHECK (supervisor IN (0, 1)),
        rank INTEGER NOT NULL,
        days TEXT NOT NULL,
        from_min INTEGER NOT NULL CHECK (from_min BETWEEN 0 AND 1439),
        to_min INTEGER NOT NULL CHECK (to_min BETWEEN 0 AND 1440)
      );
      CREATE TABLE register_roster_zones (
        roster_position INTEGER NOT NULL REFERENCES register_roster (position),
        zone_id TEXT NOT NULL REFERENCES register_zones (id),
        PRIMARY KEY (roster_position, zone_id)
      );
    `,
  },
  {
    // What the register was imported from, so an unchanged site file is not written again.
    name: 'register-2',
    sql: 'ALTER TABLE register_site ADD COLUMN definition_hash TEXT',
  },
  {
    // Consent to forward vitals (forwarding/): 1 unless the site file says forwardVitals: false.
    name: 'register-3',
    sql: 'ALTER TABLE register_residents ADD COLUMN forward_vitals INTEGER NOT NULL DEFAULT 1',
  },
  {
    // Flagged at risk of night wandering (rules/kinds/night-wandering.ts): 0 unless the site file says so.
    name: 'register-4',
    sql: 'ALTER TABLE register_residents ADD COLUMN night_wandering_risk INTEGER NOT NULL DEFAULT 0',
  },
  {
    // Kiosks (in a room) and base stations (room optional), and the base station a device talks
    // through (`via`): SQLite cannot change a CHECK in place, so the table is rebuilt.
    name: 'register-5',
    sql: `
      CREATE TABLE register_devices_new (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('wristband', 'care-button', 'kiosk', 'base-station')),
        resident_id TEXT REFERENCES register_residents (id),
        room_id TEXT REFERENCES register_rooms (id),
        secret_hash TEXT NOT NULL,
        position INTEGER NOT NULL,
        via_id TEXT,
        CHECK ((kind = 'wristband') = (resident_id IS NOT NULL AND room_id IS NULL)),
        CHECK (kind NOT IN ('care-button', 'kiosk') OR room_id IS NOT NULL)
      );
      INSERT INTO register_devices_new (id, kind, resident_id, room_id, secret_hash, position)
        SELECT id, kind, resident_id, room_id, secret_hash, position FROM register_devices;
      DROP TABLE register_devices;
      ALTER TABLE register_devices_new RENAME TO register_devices;
    `,
  },
  {
    // Administrators of the staff console (auth/roles.ts): 0 unless the site file says admin: true.
    name: 'register-6',
    sql: 'ALTER TABLE register_staff ADD COLUMN admin INTEGER NOT NULL DEFAULT 0',
  },
  {
    // A mobile number for SMS (sms/), NULL when the site file gives none. Named, not numbered:
    // other register migrations are written beside it.
    name: 'register-staff-phone',
    sql: 'ALTER TABLE register_staff ADD COLUMN phone TEXT',
  },
  {
    // The site file's console password hash (scrypt), NULL when none; auth/ applies it.
    name: 'register-8',
    sql: 'ALTER TABLE register_staff ADD COLUMN console_password_hash TEXT',
  },
];

export function migrateRegister(db: Db): void {
  migrate(db, migrations);
}

/** Children before parents, so foreign keys hold while deleting. */
const tablesToClear = [
  'register_roster_zones',
  'register_roster',
  'register_devices',
  'register_staff',
  'register_residents',
  'register_rooms',
  'register_zones',
  'register_site',
];

/**
 * Replaces the register's contents with a checked site file in one transaction: readers see the
 * old register or the new one, never a mix, and a failed import leaves the old one in place.
 * Plaintext secrets are hashed here.
 */
export function importSite(db: Db, def: SiteDefinition, now: number = Date.now()): void {
  migrateRegister(db);
  // Unchanged file: no write at all, so a gateway on a read-only disk still starts.
  const hash = definitionHash(def);
  const stored = db.prepare('SELECT definition_hash AS hash FROM register_site').get() as
    | { hash: string | null }
    | undefined;
  if (stored?.hash === hash) return;
  const hashOf = (c: { secret: string } | { secretHash: string }) =>
    'secret' in c ? hashSecret(c.secret) : c.secretHash;
  const insert = {
    site: db.prepare(
      'INSERT INTO register_site (only_row, id, name, timezone, imported_at, definition_hash) VALUES (1, ?, ?, ?, ?, ?)',
    ),
    zone: db.prepare('INSERT INTO register_zones (id, name, position) VALUES (?, ?, ?)'),
    room: db.prepare('INSERT INTO register_rooms (id, name, zone_id, position) VALUES (?, ?, ?, ?)'),
    resident: db.prepare(
      'INSERT INTO register_residents (id, name, room_id, position, forward_vitals, night_wandering_risk) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    staff: db.prepare(
      'INSERT INTO register_staff (id, name, first_name, role, secret_hash, position, admin, phone, console_password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    device: db.prepare(
      'INSERT INTO register_devices (id, kind, resident_id, room_id, secret_hash, position, via_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    roster: db.prepare(
      'INSERT INTO register_roster (position, staff_id, supervisor, rank, days, from_min, to_min) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    rosterZone: db.prepare('INSERT INTO register_roster_zones (roster_position, zone_id) VALUES (?, ?)'),
  };
  db.transaction(() => {
    for (const table of tablesToClear) db.prepare(`DELETE FROM ${table}`).run();
    insert.site.run(def.site.id, def.site.name, def.site.timezone, now, hash);
    for (const [i, z] of def.zones.entries()) insert.zone.run(z.id, z.name, i);
    for (const [i, r] of def.rooms.entries()) insert.room.run(r.id, r.name, r.zoneId, i);
    for (const [i, r] of def.residents.entries())
      insert.resident.run(
        r.id,
        r.name,
        r.roomId,
        i,
        r.forwardVitals === false ? 0 : 1,
        r.nightWanderingRisk ? 1 : 0,
      );
    for (const [i, s] of def.staff.entries()) {
      insert.staff.run(
        s.id,
        s.name,
        s.firstName,
        s.role,
        hashOf(s.credential),
        i,
        s.admin ? 1 : 0,
        s.phone ?? null,
        s.consolePasswordHash ?? null,
      );
    }
    for (const [i, d] of def.devices.entries()) {
      const { residentId, roomId, via } = d;
      insert.device.run(
        d.id,
        d.kind,
        residentId ?? null,
        roomId ?? null,
        hashOf(d.credential),
        i,
        via ?? null,
      );
    }
    for (const [i, r] of def.roster.entries()) {
      insert.roster.run(i, r.staffId, r.supervisor ? 1 : 0, r.rank, r.days.join(','), r.fromMin, r.toMin);
      for (const zoneId of r.zoneIds) insert.rosterZone.run(i, zoneId);
    }
  })();
}

/**
 * SHA-256 of the checked definition. It includes plaintext secrets where the file has them, but
 * only as part of a one-way hash of the whole file, never on their own.
 */
export function definitionHash(def: SiteDefinition): string {
  return createHash('sha256').update(JSON.stringify(def)).digest('hex');
}
