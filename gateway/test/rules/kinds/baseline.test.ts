import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { expect, it, describe as suite } from 'vitest';
import {
  type BaselineDay,
  type BaselineParams,
  type BaselineState,
  baselineParams,
  describe,
  expectedActivity,
  hourOf,
  learn,
  newBaseline,
  risenAt,
  usualRise,
} from '../../../src/rules/kinds/baseline.js';
import { berlin, HOUR, MIN, type Reading } from '../../helpers/kind-driver.js';
import { day, local, rhythm } from './rhythm.js';

const hoursOf = (d: BaselineDay) => Array.from({ length: 24 }, (_, h) => hourOf(d, h));

const params: BaselineParams = Value.Create(Type.Object(baselineParams));

/** Learns readings every minute from `from` to `to`, the state through JSON at every step. */
function feed(
  b: BaselineState,
  from: number,
  to: number,
  r: (at: number) => Reading,
  everyS = 60,
): BaselineState {
  let s = b;
  for (let at = from; at < to; at += everyS * 1000) {
    const x = r(at);
    s = JSON.parse(
      JSON.stringify(learn(s, { at, activity: x.activity, worn: x.worn ?? true }, params, local)),
    );
  }
  return s;
}

const days = (b: BaselineState, from: number, n: number, r = rhythm()) =>
  feed(b, day(from), day(from + n), r);

suite('activity baseline', () => {
  it('is learning until five days of sixteen learned hours, then ready, and says so', () => {
    let b = days(newBaseline(), 0, 4);
    expect(describe(b, params)).toMatchObject({ status: 'learning', daysLearned: 4, daysNeeded: 5 });
    b = days(b, 4, 1);
    const d = describe(b, params);
    expect(d).toMatchObject({ status: 'ready', daysLearned: 5 });
    expect(d.expectedByHour[3]).toBeCloseTo(1.5, 1);
    expect(d.expectedByHour[10]).toBeGreaterThan(20);
    expect(d.rising).toEqual({ status: 'ready', daysLearned: 5, daysNeeded: 5, usual: '07:00' });
  });

  it('learns nothing from a day off the wrist, so the day does not drag the baseline down', () => {
    let b = days(newBaseline(), 0, 5);
    const before = describe(b, params);
    b = feed(b, day(5), day(6), () => ({ activity: 0, worn: false }));
    b = feed(b, day(6), day(6) + HOUR, rhythm()); // the next day starts
    expect(describe(b, params).daysLearned).toBe(5);
    expect(describe(b, params).expectedByHour).toEqual(before.expectedByHour);
    expect(b.days.find((d) => d.day === '2026-05-09')).toMatchObject({ rise: null });
  });

  it('does not learn an hour with too few readings, and a day with a few missing hours still counts', () => {
    // Readings only every 15 min all day: no hour is learned.
    let b = feed(newBaseline(), day(0), day(1), rhythm(), 900);
    b = feed(b, day(1), day(1) + MIN, rhythm());
    expect(hoursOf(b.days[0]!).every((h) => h === null)).toBe(true);
    // Two hours out of range (10:00–12:00): those hours are missing, the day still counts.
    let c = newBaseline();
    for (let d = 0; d < 5; d++) {
      c = feed(c, day(d), day(d) + 10 * HOUR, rhythm());
      c = feed(c, day(d) + 12 * HOUR, day(d + 1), rhythm());
    }
    c = feed(c, day(5), day(5) + MIN, rhythm());
    expect(
      c.days
        .slice(0, 5)
        .every((d) => hourOf(d, 10) === null && hourOf(d, 11) === null && hourOf(d, 9) !== null),
    ).toBe(true);
    expect(describe(c, params)).toMatchObject({ status: 'ready', daysLearned: 5 });
    expect(expectedActivity(c, 10)).toBeNull();
  });

  it('takes the median over the days: one odd day does not move an hour', () => {
    let b = days(newBaseline(), 0, 6);
    const usual = expectedActivity(b, 15)!;
    b = feed(b, day(6), day(7), (at) => (local(at).hour === 15 ? { activity: 0.5 } : rhythm()(at)));
    b = feed(b, day(7), day(7) + MIN, rhythm());
    expect(hourOf(b.days.find((d) => d.day === '2026-05-10')!, 15)).toBeCloseTo(0.5, 1);
    expect(Math.abs(expectedActivity(b, 15)! - usual)).toBeLessThan(1.5);
  });

  it('keeps a ring of learnDays days and today', () => {
    const b = days(newBaseline(), 0, 20);
    expect(b.days).toHaveLength(params.learnDays + 1);
    expect(b.days[0]!.day).toBe('2026-05-09'); // 05-04 … 05-23: the last 15
    expect(JSON.stringify(b).length).toBeLessThan(4000);
  });

  it('finds the rising time: not a toilet visit at night nor a short one after 05:00; the median over days', () => {
    const wakes = [6 * 60 + 50, 7 * 60 + 10, 7 * 60, 7 * 60 + 30, 6 * 60 + 40];
    let b = newBaseline();
    wakes.forEach((wake, d) => {
      const base = rhythm(wake);
      b = feed(b, day(d), day(d + 1), (at) => {
        const m = local(at).minuteOfDay;
        // A 5-minute visit at 03:10 and one at 05:30, both brisk.
        if ((m >= 190 && m < 195) || (m >= 330 && m < 335)) return { activity: 30 };
        return base(at);
      });
    });
    expect(b.days.map((d) => d.rise)).toEqual(wakes);
    expect(usualRise(b, 3)).toBe(7 * 60);
    expect(risenAt(b, '2026-05-08')).toBe(day(4) + wakes[4]! * MIN);
    expect(usualRise(newBaseline(), 3)).toBeNull();
  });

  it('learns daylight-saving days by the wall clock: 25 hours (hour 2 twice) and 23 (no hour 2)', () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET. 2026-03-29: 02:00 CET becomes 03:00 CEST.
    for (const [midnight, next, hour2] of [
      [berlin('2026-10-25 00:00', '+02:00'), berlin('2026-10-26 00:00', '+01:00'), 'learned'],
      [berlin('2026-03-29 00:00', '+01:00'), berlin('2026-03-30 00:00', '+02:00'), 'missing'],
    ] as const) {
      expect((next - midnight) / HOUR).toBe(hour2 === 'learned' ? 25 : 23);
      let b = feed(newBaseline(), midnight, next, rhythm());
      b = feed(b, next, next + MIN, rhythm());
      const d = b.days[0]!;
      expect(hourOf(d, 2) === null).toBe(hour2 === 'missing');
      expect(hoursOf(d).filter((h) => h !== null)).toHaveLength(hour2 === 'learned' ? 24 : 23);
      expect(d.rise).toBe(7 * 60);
    }
  });

  it('ignores a day earlier than the latest (the clock stepped back) and a late reading of a closed hour', () => {
    let b = days(newBaseline(), 0, 2);
    const before = JSON.stringify(b);
    b = learn(b, { at: day(0) + 10 * HOUR, activity: 0, worn: true }, params, local);
    expect(JSON.stringify(b)).toBe(before);
    b = feed(b, day(2), day(2) + 10 * HOUR, rhythm());
    const closed = hourOf(b.days[2]!, 8);
    b = learn(b, { at: day(2) + 8.5 * HOUR, activity: 99, worn: true }, params, local);
    b = feed(b, day(2) + 10 * HOUR, day(2) + 11 * HOUR, rhythm());
    expect(hourOf(b.days[2]!, 8)).toBe(closed);
  });
});
