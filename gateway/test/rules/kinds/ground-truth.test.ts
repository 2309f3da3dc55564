import { generateHistory } from '@careedge/firmware-sim';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { InactivityParams, inactivity } from '../../../src/rules/kinds/inactivity.js';
import { NightWanderingParams, nightWandering } from '../../../src/rules/kinds/night-wandering.js';
import { NotUpParams, notUp } from '../../../src/rules/kinds/not-up.js';
import { runKindsOverHistory, score } from '../../helpers/kinds-over-history.js';

/**
 * The kinds with their default params over the synthetic ground truth (docs/ground-truth.md):
 * 30 residents × 14 days, on two seeds and seasons, so the defaults are not tuned to one
 * history. Every incident found within its deadline, at most one false alert per resident-week.
 *
 * Both fortnights avoid the daylight-saving changes: on those days the simulator plans the
 * residents' day in elapsed minutes since local midnight, not by the wall clock, so everybody
 * gets up an hour late (spring) or early (autumn) by the clock: a not-up alert for nearly every
 * resident. The kinds' own daylight-saving handling is tested with a wall-clock day.
 */
describe.each([
  { seed: 1, startDate: '2026-05-04' },
  { seed: 2, startDate: '2026-06-08' },
])('the activity kinds over 30 residents × 14 days (seed $seed from $startDate)', ({ seed, startDate }) => {
  it('detect every daytime inactivity, late rising and night wandering in time, with ≤ 1 false alert per resident-week', () => {
    const history = generateHistory({ residents: 30, days: 14, seed, startDate, timezone: 'Europe/Berlin' });
    const raised = runKindsOverHistory(history, [
      { kind: inactivity, params: Value.Create(InactivityParams) },
      { kind: notUp, params: Value.Create(NotUpParams) },
      { kind: nightWandering, params: Value.Create(NightWanderingParams) },
    ]);
    for (const alertKind of ['inactivity', 'not-up', 'night-wandering']) {
      const s = score(history, raised, alertKind);
      expect(s.incidents, alertKind).toBeGreaterThan(0);
      expect(s.detected, alertKind).toBe(s.incidents);
      expect(s.falsePerResidentWeek, alertKind).toBeLessThanOrEqual(1);
      // The few "false" ones are stillness after a fall: real, just not what the fall's 300 s asks.
      expect(s.unexplained, alertKind).toBe(0);
    }
  }, 240_000);
});
