import { describe, expect, it } from 'vitest';
import { nightWandering } from '../../../src/rules/kinds/night-wandering.js';
import { berlin, HOUR, KindDriver, MIN, type Reading } from '../../helpers/kind-driver.js';
import { day } from './rhythm.js';

const flagged = { nightWanderingRisk: true };
const driver = (subject: Record<string, unknown> = flagged, params = {}) =>
  new KindDriver(nightWandering, params, subject);

/** Asleep (1.5), moving about (35) from `from` for `minutes`. */
const walkFrom =
  (from: number, minutes: number) =>
  (at: number): Reading =>
    at >= from && at < from + minutes * MIN ? { activity: 35 } : { activity: 1.5 };

describe('night-wandering', () => {
  it('raises a flagged resident moving about at night after 10 min, once, and ends when settled', () => {
    const d = driver();
    const from = day(1) + 2 * HOUR + 14 * MIN;
    d.readings(day(1), day(1) + 5 * HOUR, walkFrom(from, 40));
    const [raise] = d.raises('night-wandering');
    expect(raise).toMatchObject({ at: from + 10 * MIN, action: { priority: 'medium' } });
    expect(raise!.action.type === 'raise' && raise!.action.reason).toBe(
      'Moving about at night since 02:14 (activity 20 or more for 10 min).',
    );
    expect(d.raises()).toHaveLength(1);
    expect(d.clears()).toMatchObject([{ at: from + 40 * MIN + 14 * MIN, action: { by: 'rule' } }]);
    // A second walk the same night is a new episode.
    d.readings(day(1) + 5 * HOUR, day(2) + 5 * HOUR, walkFrom(day(2) + HOUR, 20));
    expect(d.raises()).toHaveLength(2);
  });

  it('does not take toilet visits (3–5 min, brisk) for wandering, even two close together', () => {
    const d = driver();
    d.readings(day(1), day(1) + 5 * HOUR, (at) => {
      const m = (at - day(1)) / MIN;
      const visit = (m >= 60 && m < 65) || (m >= 69 && m < 73) || (m >= 200 && m < 203);
      return { activity: visit ? 30 : 1.5 };
    });
    expect(d.raises()).toHaveLength(0);
  });

  it('only for flagged residents, unless flaggedOnly is off', () => {
    const walk = walkFrom(day(1) + HOUR, 30);
    for (const [subject, params, raises] of [
      [{}, {}, 0],
      [{ nightWanderingRisk: false }, {}, 0],
      [{}, { flaggedOnly: false }, 1],
    ] as const) {
      const d = driver(subject, params);
      d.readings(day(1), day(1) + 3 * HOUR, walk);
      expect(d.raises()).toHaveLength(raises);
    }
  });

  it('only in the night hours: not in the evening, not from 05:00', () => {
    const d = driver();
    d.readings(day(0) + 22 * HOUR, day(1) + 7 * HOUR, (at) => {
      const m = (at - day(1)) / MIN;
      // 22:00–23:30 up and about; 04:53 onwards up for the day (only 7 min of it before 05:00).
      return (m >= -120 && m < -30) || m >= 293 ? { activity: 35 } : { activity: 1.5 };
    });
    expect(d.raises()).toHaveLength(0);
    const custom = driver(flagged, { nightHours: '22:00-06:00' });
    custom.readings(day(0) + 22 * HOUR, day(0) + 24 * HOUR, walkFrom(day(0) + 22 * HOUR, 30));
    expect(custom.raises()).toHaveLength(1);
  });

  it('raises once across duplicates, out-of-order readings, a reboot, restarts and a clock step back', () => {
    const d = driver();
    const from = day(1) + HOUR;
    d.readings(day(1), from, { activity: 1.5 });
    d.reboot();
    for (let at = from; at < from + 40 * MIN; at += 2 * MIN) {
      const later = d.message(at + MIN, { activity: 35 });
      d.step({ type: 'telemetry', at: at + MIN, message: later });
      d.step({ type: 'telemetry', at: at + MIN + 100, message: later });
      d.step({ type: 'telemetry', at: at + 20_000, message: d.message(at, { activity: 35 }) });
    }
    // The clock steps back 20 min, the resident still walking.
    d.readings(from + 20 * MIN, from + 50 * MIN, { activity: 35 });
    expect(d.raises()).toHaveLength(1);
    expect(d.raises()[0]!.at).toBeLessThanOrEqual(from + 11 * MIN);
  });

  it('does not join movement across a data gap', () => {
    const d = driver();
    const from = day(1) + HOUR;
    d.readings(from, from + 6 * MIN, { activity: 35 });
    d.readings(from + 20 * MIN, from + 26 * MIN, { activity: 35 });
    expect(d.raises()).toHaveLength(0);
  });

  it('counts the night by the wall clock on a 25-hour day (02:00–03:00 twice)', () => {
    // 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET.
    const d = driver();
    const second0230 = berlin('2026-10-25 02:30', '+01:00');
    d.readings(berlin('2026-10-25 00:00'), second0230 + HOUR, walkFrom(second0230, 15));
    expect(d.raises().map((r) => r.at)).toEqual([second0230 + 10 * MIN]);
  });

  it('ignores every input but telemetry', () => {
    const d = driver();
    expect(d.step({ type: 'tick', at: day(1) })).toEqual([]);
  });
});
