import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DispatchPlanner } from '../../src/dispatch/plan.js';
import { openRegister, type SiteRegister } from '../../src/register/register.js';
import { TEST_SITE } from '../helpers/gateway.js';
import { makeTempDir, openTempDatabase } from '../helpers/tmp.js';

/** The test site's real register (north: alice, bob, carol by rank; supervisor sam; all 24 h). */
const testRegister = () => openRegister(openTempDatabase().db, TEST_SITE);

const timeouts = { high: 30, medium: 120, low: 600 };

describe('dispatch planner', () => {
  it('asks responders one by one, then the supervisor, then everyone, and stays at everyone', () => {
    const p = new DispatchPlanner(testRegister(), timeouts, () => {});
    const alert = { zoneId: 'north', priority: 'medium' as const };
    const asked: string[][] = [];
    const plans = [];
    for (let step: number | null = null; plans.length < 6; step = plans.at(-1)!.level) {
      const plan = p.plan(alert, step, 1000, asked);
      plans.push(plan);
      asked.push(plan.staffIds);
    }
    expect(plans.map((x) => x.staffIds)).toEqual([
      ['alice'],
      ['bob'],
      ['carol'],
      ['sam'],
      ['alice', 'dave', 'bob', 'carol', 'sam'],
      ['alice', 'dave', 'bob', 'carol', 'sam'],
    ]);
    expect(plans.map((x) => x.level)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plans[0]!.deadlineAt).toBe(1000 + 120_000);
  });

  it('skips a level whose handsets are all offline, and leaves out excluded staff', () => {
    const offline = new Set(['alice']);
    const p = new DispatchPlanner(testRegister(), timeouts, () => {}, { isOffline: (s) => offline.has(s) });
    expect(p.plan({ zoneId: 'north', priority: 'high' }, null, 0).staffIds).toEqual(['bob']);
    const carerInRoom = { zoneId: 'north', priority: 'high' as const, excludeStaff: 'alice,bob' };
    offline.clear();
    expect(p.plan(carerInRoom, null, 0).staffIds).toEqual(['carol']);
    expect(p.plan(carerInRoom, 2, 0, [['carol'], ['sam']]).staffIds).toEqual(['dave', 'carol', 'sam']);
  });

  it('asks every registered staff member when every level was asked and nobody is online', () => {
    const p = new DispatchPlanner(testRegister(), timeouts, () => {}, { isOffline: () => true });
    expect(p.plan({ zoneId: 'north', priority: 'high' }, null, 0).staffIds).toEqual([
      'alice',
      'dave',
      'bob',
      'carol',
      'sam',
    ]);
  });

  it('goes straight to the supervisor for a zone without responders', () => {
    const p = new DispatchPlanner(testRegister(), timeouts, () => {});
    expect(p.plan({ zoneId: 'unassigned', priority: 'high' }, null, 0)).toEqual({
      level: 0,
      staffIds: ['sam'],
      deadlineAt: 30_000,
    });
  });

  it('asks every registered staff member when the roster leaves nobody on shift', () => {
    const dir = makeTempDir();
    const site = readFileSync(TEST_SITE, 'utf8').replace(
      /roster:[\s\S]*$/,
      'roster:\n  - { staff: alice, zones: [north], from: "08:00", to: "09:00" }\n',
    );
    writeFileSync(join(dir, 'gap.yaml'), site);
    const p = new DispatchPlanner(
      openRegister(openTempDatabase().db, join(dir, 'gap.yaml')),
      timeouts,
      () => {},
    );
    const noon = Date.UTC(2026, 10, 23, 12, 0);
    expect(p.plan({ zoneId: 'north', priority: 'high' }, null, noon).staffIds).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'sam',
    ]);
  });

  it('never throws: a failing roster lookup is reported and plans nobody, so the alert still commits', () => {
    const errors: unknown[] = [];
    // Fault injection: a register whose roster lookup fails (cannot be made with real parts).
    const broken = {
      respondersFor: () => {
        throw new Error('roster table missing');
      },
    } as unknown as SiteRegister;
    const p = new DispatchPlanner(broken, timeouts, (e) => errors.push(e));
    expect(p.plan({ zoneId: 'z', priority: 'high' }, null, 0)).toEqual({
      level: 0,
      staffIds: [],
      deadlineAt: 30_000,
    });
    expect(String(errors[0])).toContain('roster table missing');
  });
});
