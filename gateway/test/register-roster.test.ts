import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  importSite,
  isOnShift,
  openRegister,
  parseSiteFile,
  SiteRegister,
} from '../src/register/register.js';
import { openTempDatabase } from './helpers/tmp.js';

const examplePath = new URL('../sites/example.yaml', import.meta.url).pathname;
const secret = '"0123456789abcdef"';

/** A register for a small test home (Europe/London), imported into a real SQLite file. */
function testRegister(): SiteRegister {
  const { db } = openTempDatabase();
  importSite(
    db,
    parseSiteFile(`
site: { id: t1, name: Test Home, timezone: Europe/London }
zones: [ { id: east, name: East }, { id: west, name: West } ]
rooms: [ { id: e1, name: E1, zone: east }, { id: w1, name: W1, zone: west } ]
staff:
  - { id: wendy, name: Wendy Weekday, role: carer, secret: ${secret} }
  - { id: nina, name: Nina Night, role: nurse, secret: ${secret} }
  - { id: dan, name: Dan Day, role: carer, secret: ${secret} }
  - { id: sue, name: Sue Super, role: supervisor, secret: ${secret} }
roster:
  - { staff: dan, zones: [east, west], rank: 5, from: "07:00", to: "19:00" }
  - { staff: wendy, zones: [east], rank: 2, days: [mon, tue, wed, thu, fri], from: "08:00", to: "16:00" }
  - { staff: nina, zones: [east], rank: 1, days: [mon], from: "22:00", to: "06:00" }
  - { staff: sue, supervisor: true, days: [mon, tue, wed, thu, fri, sat, sun] }
  - { staff: dan, zones: [west], rank: 1, days: [mon], from: "22:00", to: "06:00" }
`),
  );
  return new SiteRegister(db);
}

/** Epoch ms for a London wall-clock time in January (GMT, so London time = UTC). 2025-01-06 is a Monday. */
const jan = (day: number, hh: number, mm = 0) => Date.UTC(2025, 0, day, hh, mm);
const MON = 6;
const TUE = 7;
const WED = 8;
const SAT = 11;
const SUN = 12;

const ids = (staff: { id: string }[]) => staff.map((s) => s.id);

describe('register: roster lookups', () => {
  it('orders responders by rank, not by position in the file', () => {
    const register = testRegister();
    expect(ids(register.respondersFor('east', jan(WED, 10)))).toEqual(['wendy', 'dan']);
  });

  it('limits a weekday entry to its days and treats the end time as exclusive', () => {
    const register = testRegister();
    expect(ids(register.respondersFor('east', jan(WED, 8)))).toEqual(['wendy', 'dan']);
    expect(ids(register.respondersFor('east', jan(WED, 15, 59)))).toEqual(['wendy', 'dan']);
    expect(ids(register.respondersFor('east', jan(WED, 16)))).toEqual(['dan']);
    expect(ids(register.respondersFor('east', jan(SAT, 10)))).toEqual(['dan']);
  });

  it('runs a night shift past midnight and counts it on the day it starts', () => {
    const register = testRegister();
    expect(ids(register.respondersFor('east', jan(MON, 21, 59)))).toEqual([]);
    expect(ids(register.respondersFor('east', jan(MON, 22)))).toEqual(['nina']);
    expect(ids(register.respondersFor('east', jan(TUE, 3)))).toEqual(['nina']);
    expect(ids(register.respondersFor('east', jan(TUE, 5, 59)))).toEqual(['nina']);
    expect(ids(register.respondersFor('east', jan(TUE, 6)))).toEqual([]);
    // Monday's line only: Sunday night into Monday and Tuesday night are not covered.
    expect(ids(register.respondersFor('east', jan(MON, 3)))).toEqual([]);
    expect(ids(register.respondersFor('east', jan(TUE, 23)))).toEqual([]);
    expect(ids(register.respondersFor('west', jan(TUE, 3)))).toEqual(['dan']);
  });

  it('reads rosters in the site time zone, following summer time', () => {
    const register = testRegister();
    // 2025-07-09 06:30 UTC is 07:30 in London (BST): the 07:00 day shift has begun.
    expect(ids(register.respondersFor('west', Date.UTC(2025, 6, 9, 6, 30)))).toEqual(['dan']);
    expect(ids(register.respondersFor('west', Date.UTC(2025, 6, 9, 5, 59)))).toEqual([]);
  });

  it('finds supervisors, and everyone on shift with responders first and nobody twice', () => {
    const register = testRegister();
    expect(ids(register.supervisorsOnShift(jan(SUN, 4)))).toEqual(['sue']);
    expect(ids(register.staffOnShift(jan(WED, 10)))).toEqual(['wendy', 'dan', 'sue']);
    expect(ids(register.staffOnShift(jan(TUE, 2)))).toEqual(['nina', 'dan', 'sue']);
    expect(ids(register.staffOnShift(jan(SUN, 4)))).toEqual(['sue']);
  });

  it('answers for an unknown zone with nobody', () => {
    const register = testRegister();
    expect(register.respondersFor('north', jan(WED, 10))).toEqual([]);
  });
});

describe('register: the example site covers every hour', () => {
  it('has two responders per zone and a supervisor at every half hour, across both clock changes', () => {
    const { db } = openTempDatabase();
    const register = openRegister(db, examplePath);
    // Two weeks around each 2025 change in London: 30 March (spring forward) and 26 October (back).
    for (const start of [Date.UTC(2025, 2, 23), Date.UTC(2025, 9, 19)]) {
      for (let at = start; at < start + 14 * 86_400_000; at += 30 * 60_000) {
        for (const zone of register.allZones()) {
          const responders = register.respondersFor(zone.id, at);
          if (responders.length < 2)
            throw new Error(`${zone.id} has ${responders.length} at ${new Date(at).toISOString()}`);
        }
        expect(register.supervisorsOnShift(at)).toHaveLength(1);
      }
    }
  });
});

describe('shift arithmetic (property)', () => {
  const everyDay = [1, 2, 3, 4, 5, 6, 7];

  it('a shift a→b and its complement b→a cover every moment exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1439 }),
        (a, b, weekday, minute) => {
          fc.pre(a !== b);
          const t = { weekday, minute };
          const first = isOnShift({ days: everyDay, fromMin: a, toMin: b }, t);
          const second = isOnShift({ days: everyDay, fromMin: b, toMin: a }, t);
          return first !== second;
        },
      ),
    );
  });

  it('an overnight shift started on one day only is never on two days later', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1439 }),
        (from, toRaw, day, minute) => {
          const to = toRaw % from; // to < from: runs past midnight
          const twoDaysLater = ((day + 1) % 7) + 1;
          return !isOnShift({ days: [day], fromMin: from, toMin: to }, { weekday: twoDaysLater, minute });
        },
      ),
    );
  });
});
