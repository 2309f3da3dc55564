import type { Db } from '../core/db.js';
import { verifySecret } from './credentials.js';
import { isOnShift, type LocalTime, localClock } from './shifts.js';
import { GATEWAY_USERNAME } from './site-file-checks.js';
import { migrateRegister } from './store.js';
import type {
  Device,
  DeviceContext,
  DeviceKind,
  Principal,
  Resident,
  Room,
  RosterEntry,
  Site,
  Staff,
  StaffRole,
  Zone,
} from './types.js';

/** Compared against when a username is unknown, so that case takes as long as a wrong secret. */
const DUMMY_HASH = 'sha256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Frozen copies of the rows, by id; insertion order is the site file's order. */
const byId = <T extends { id: string }>(items: readonly T[]) =>
  new Map(items.map((x) => [x.id, Object.freeze(x)]));

/**
 * The site register in memory. Ingest asks it about every message (2,000 msg/s at peak), so
 * everything is read from SQLite once, here, and every lookup is a Map get; device contexts are
 * precomputed. Objects handed out are frozen: they are shared by every caller. After a new
 * import, construct a new SiteRegister.
 */
export class SiteRegister {
  readonly site: Readonly<Site>;
  readonly #zones: Map<string, Zone>;
  readonly #rooms: Map<string, Room>;
  readonly #residents: Map<string, Resident>;
  readonly #devices: Map<string, Device>;
  readonly #staff: Map<string, Staff>;
  readonly #contexts: Map<string, DeviceContext>;
  /** Username → secret hash, for devices and staff (they share one username space). */
  readonly #secretHashes: Map<string, { principal: Principal; hash: string }>;
  /** Roster lines sorted by rank, then file order. */
  readonly #roster: readonly Readonly<RosterEntry>[];
  readonly #localTime: (at: number) => LocalTime;

  constructor(db: Db) {
    migrateRegister(db);
    const site = db.prepare('SELECT id, name, timezone FROM register_site').get() as Site | undefined;
    if (!site) throw new Error('the site register is empty: import a site file first');
    this.site = Object.freeze({ ...site });
    this.#localTime = localClock(site.timezone);

    const rows = <T>(sql: string) => db.prepare(sql).all() as T[];
    this.#zones = byId(rows<Zone>('SELECT id, name FROM register_zones ORDER BY position'));
    this.#rooms = byId(
      rows<Room>('SELECT id, name, zone_id AS zoneId FROM register_rooms ORDER BY position'),
    );
    this.#residents = byId(
      rows<Resident & { consent: number; wandering: number }>(
        'SELECT id, name, room_id AS roomId, forward_vitals AS consent, night_wandering_risk AS wandering FROM register_residents ORDER BY position',
      ).map(({ consent, wandering, ...r }) => ({
        ...r,
        ...(consent === 0 ? { forwardVitals: false as const } : {}),
        ...(wandering === 1 ? { nightWanderingRisk: true as const } : {}),
      })),
    );

    this.#secretHashes = new Map();
    const staffRows = rows<
      Omit<Staff, 'admin' | 'phone'> & { role: StaffRole; hash: string; admin: number; phone: string | null }
    >(
      'SELECT id, name, first_name AS firstName, role, admin, phone, secret_hash AS hash FROM register_staff ORDER BY position',
    );
    this.#staff = byId(
      staffRows.map(({ hash, admin, phone, ...s }) => {
        this.#secretHashes.set(s.id, { principal: Object.freeze({ kind: 'staff', id: s.id }), hash });
        return Object.freeze({
          ...s,
          ...(admin === 1 ? { admin: true as const } : {}),
          ...(phone !== null ? { phone } : {}),
        });
      }),
    );

    const deviceRows = rows<{
      id: string;
      kind: DeviceKind;
      residentId: string | null;
      roomId: string | null;
      via: string | null;
      hash: string;
    }>(
      'SELECT id, kind, resident_id AS residentId, room_id AS roomId, via_id AS via, secret_hash AS hash FROM register_devices ORDER BY position',
    );
    this.#devices = new Map();
    this.#contexts = new Map();
    for (const row of deviceRows) {
      const device: Device = Object.freeze({
        id: row.id,
        kind: row.kind,
        ...(row.residentId !== null ? { residentId: row.residentId } : {}),
        ...(row.roomId !== null ? { roomId: row.roomId } : {}),
        ...(row.via !== null ? { via: row.via } : {}),
      });
      this.#devices.set(device.id, device);
      this.#contexts.set(device.id, this.#contextOf(device));
      this.#secretHashes.set(device.id, {
        principal: Object.freeze({ kind: 'device', id: device.id }),
        hash: row.hash,
      });
    }

    const zonesOf = new Map<number, string[]>();
    for (const r of rows<{ position: number; zoneId: string }>(
      'SELECT roster_position AS position, zone_id AS zoneId FROM register_roster_zones ORDER BY rowid',
    )) {
      zonesOf.set(r.position, [...(zonesOf.get(r.position) ?? []), r.zoneId]);
    }
    this.#roster = rows<{
      position: number;
      staffId: string;
      supervisor: number;
      rank: number;
      days: string;
      fromMin: number;
      toMin: number;
    }>(
      'SELECT position, staff_id AS staffId, supervisor, rank, days, from_min AS fromMin, to_min AS toMin FROM register_roster ORDER BY rank, position',
    ).map((r) =>
      Object.freeze({
        staffId: r.staffId,
        zoneIds: zonesOf.get(r.position) ?? [],
        supervisor: r.supervisor === 1,
        rank: r.rank,
        days: r.days.split(',').map(Number),
        fromMin: r.fromMin,
        toMin: r.toMin,
      }),
    );
  }

  #contextOf(device: Device): DeviceContext {
    const resident = device.residentId !== undefined ? this.#residents.get(device.residentId) : undefined;
    const room = this.#rooms.get(resident?.roomId ?? device.roomId ?? '');
    const zone = room ? this.#zones.get(room.zoneId) : undefined;
    return Object.freeze({
      device,
      ...(resident ? { resident } : {}),
      ...(room ? { room } : {}),
      ...(zone ? { zone } : {}),
    });
  }

  device(id: string): Device | undefined {
    return this.#devices.get(id);
  }
  staff(id: string): Staff | undefined {
    return this.#staff.get(id);
  }
  resident(id: string): Resident | undefined {
    return this.#residents.get(id);
  }
  room(id: string): Room | undefined {
    return this.#rooms.get(id);
  }
  zone(id: string): Zone | undefined {
    return this.#zones.get(id);
  }

  /** In site-file order. */
  allZones(): Zone[] {
    return [...this.#zones.values()];
  }
  allRooms(): Room[] {
    return [...this.#rooms.values()];
  }
  allResidents(): Resident[] {
    return [...this.#residents.values()];
  }
  allDevices(): Device[] {
    return [...this.#devices.values()];
  }
  allStaff(): Staff[] {
    return [...this.#staff.values()];
  }
  /** Roster lines ordered by rank, then file order. */
  rosterEntries(): readonly Readonly<RosterEntry>[] {
    return this.#roster;
  }

  /** The device with its resident, room and zone: wristband → resident → room → zone; button → room → zone. */
  deviceContext(deviceId: string): DeviceContext | undefined {
    return this.#contexts.get(deviceId);
  }

  /** Whether `id` is a device or staff login (they share one username space). */
  isLogin(id: string): boolean {
    return this.#secretHashes.has(id);
  }

  /**
   * A device or handset login. The gateway's own login is not in the register (the broker checks
   * it), so `gateway` is never accepted here.
   */
  authenticate(username: string, password: string): Principal | undefined {
    const entry = username === GATEWAY_USERNAME ? undefined : this.#secretHashes.get(username);
    const ok = verifySecret(password, entry?.hash ?? DUMMY_HASH);
    return ok && entry ? entry.principal : undefined;
  }

  #onShift(at: number, keep: (entry: Readonly<RosterEntry>) => boolean): Staff[] {
    const now = this.#localTime(at);
    const found = new Map<string, Staff>();
    for (const entry of this.#roster) {
      if (found.has(entry.staffId) || !keep(entry) || !isOnShift(entry, now)) continue;
      const staff = this.#staff.get(entry.staffId);
      if (staff) found.set(staff.id, staff);
    }
    return [...found.values()];
  }

  /** Staff whose responder line for the zone is in force at `at` (epoch ms), lowest rank first. */
  respondersFor(zoneId: string, at: number): Staff[] {
    return this.#onShift(at, (e) => !e.supervisor && e.zoneIds.includes(zoneId));
  }

  /** Shift supervisors on duty at `at`, lowest rank first. */
  supervisorsOnShift(at: number): Staff[] {
    return this.#onShift(at, (e) => e.supervisor);
  }

  /**
   * Who hears an alarm that cannot wait for the escalation ladder (storage is down): everyone on
   * shift, or every registered staff member when the roster leaves nobody on shift.
   */
  everyoneOnCall(at: number): Staff[] {
    const onShift = this.staffOnShift(at);
    return onShift.length > 0 ? onShift : this.allStaff();
  }

  /** Everyone with a roster line in force at `at`: responders (by rank) first, then supervisors. */
  staffOnShift(at: number): Staff[] {
    const responders = this.#onShift(at, (e) => !e.supervisor);
    const ids = new Set(responders.map((s) => s.id));
    return [...responders, ...this.supervisorsOnShift(at).filter((s) => !ids.has(s.id))];
  }
}
