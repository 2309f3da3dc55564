import { describe, expect, it } from 'vitest';
import { describe as describeBaseline } from '../../../src/rules/kinds/baseline.js';
import { notUp } from '../../../src/rules/kinds/not-up.js';
import { berlin, HOUR, KindDriver, MIN } from '../../helpers/kind-driver.js';
import { day, local, rhythm } from './rhythm.js';

/** A driver with `n` mornings learned, up at `wakeMin` every day. */
function learned(n: number, wakeMin = 7 * 60) {
  const d = new KindDriver(notUp);
  d.readings(day(0), day(n), rhythm(wakeMin));
  return d;
}

const asleep = { activity: 1.5 };

describe('not-up', () => {
  it('asks to be woken at the usual rising time + 60 min, raises then if still asleep, and clears when up', () => {
    const d = learned(5);
    expect(
      describeBaseline(d.state.baseline, { minDays: d.params.minDays, minRiseDays: 3 }).rising.usual,
    ).toBe('07:00');
    expect(d.raises()).toHaveLength(0);
    // Readings stop at 07:45 (a band may report sparsely while still): the tick comes at 08:00.
    d.readings(day(5), day(5) + 7.75 * HOUR, asleep);
    expect(d.wakeAt).toBe(day(5) + 8 * HOUR);
    d.tickUntil(day(5) + 9 * HOUR);
    const [raise] = d.raises('not-up');
    expect(raise).toMatchObject({ at: day(5) + 8 * HOUR, action: { priority: 'low' } });
    expect(raise!.action.type === 'raise' && raise!.action.reason).toBe(
      'Not up by 08:00: usually up at 07:00.',
    );
    expect(d.wakeAt).toBeNull();
    // Up at 09:40: the rule clears it once the activity has lasted.
    d.readings(day(5) + 9 * HOUR, day(5) + 11 * HOUR, rhythm(9 * 60 + 40));
    expect(d.clears()).toMatchObject([{ action: { type: 'clear', by: 'rule', reason: 'Up at 09:40.' } }]);
    expect(d.clears()[0]!.at).toBeGreaterThanOrEqual(day(5) + 9 * HOUR + 50 * MIN);
  });

  it('stays quiet for a resident up in time, and checks once per local day', () => {
    const d = learned(4);
    d.readings(day(4), day(5), rhythm(7 * 60 + 45));
    expect(d.raises()).toHaveLength(0);
    // Asleep all of day 5: one alert, however many readings and ticks follow.
    d.readings(day(5), day(6), asleep);
    d.step({ type: 'tick', at: day(5) + 12 * HOUR });
    expect(d.raises()).toHaveLength(1);
    // The next day is checked again.
    d.readings(day(6), day(6) + 10 * HOUR, asleep);
    expect(d.raises().map((r) => r.at)).toEqual([day(5) + 8 * HOUR, day(6) + 8 * HOUR]);
  });

  it('uses the fixed fallback time while the rising time is learned, and says so', () => {
    const d = new KindDriver(notUp);
    d.readings(day(0), day(0) + 5 * HOUR, asleep);
    expect(d.wakeAt).toBe(day(0) + 10 * HOUR);
    d.readings(day(0) + 5 * HOUR, day(0) + 11 * HOUR, asleep);
    const [raise] = d.raises();
    expect(raise!.at).toBe(day(0) + 10 * HOUR);
    expect(raise!.action.type === 'raise' && raise!.action.reason).toMatch(
      /^Not up by 10:00 \(fixed check time: .* over 3 mornings, 0 so far\)/,
    );
    // A late riser up at 09:30 on the learning days is not alerted.
    const late = learned(3, 9 * 60 + 30);
    expect(late.raises()).toHaveLength(0);
  });

  it('does not take night-time toilet visits for rising', () => {
    const d = learned(5);
    d.readings(day(5), day(5) + 9 * HOUR, (at) => {
      const m = local(at).minuteOfDay;
      return (m >= 180 && m < 185) || (m >= 400 && m < 405) ? { activity: 25 } : asleep;
    });
    expect(d.raises()).toHaveLength(1);
  });

  it('waits for fresh worn readings: the band off or out of range at the check time is not "not up"', () => {
    const d = learned(5);
    // Off the wrist from 06:30 (up and showering, say) until 09:00, then active.
    d.readings(day(5), day(5) + 6.5 * HOUR, asleep);
    d.readings(day(5) + 6.5 * HOUR, day(5) + 9 * HOUR, { activity: 0, worn: false });
    d.readings(day(5) + 9 * HOUR, day(5) + 10 * HOUR, { activity: 25 });
    expect(d.raises()).toHaveLength(0);
    // Out of range from 07:00 to 09:00, still asleep after: raised once fresh readings show it.
    d.readings(day(6), day(6) + 7 * HOUR, asleep);
    d.tickUntil(day(6) + 9 * HOUR);
    expect(d.raises()).toHaveLength(0);
    d.readings(day(6) + 9 * HOUR, day(6) + 10 * HOUR, asleep);
    const [raise] = d.raises();
    expect(raise!.at).toBeGreaterThanOrEqual(day(6) + 9 * HOUR + 13 * MIN);
    expect(raise!.at).toBeLessThanOrEqual(day(6) + 9 * HOUR + 14 * MIN);
  });

  it('raises once across duplicate ticks, duplicate readings, a reboot, a clock step back and restarts', () => {
    const d = learned(5);
    d.readings(day(5), day(5) + 7.9 * HOUR, asleep);
    d.reboot();
    const m = d.message(day(5) + 8 * HOUR - 1, asleep);
    d.step({ type: 'telemetry', at: day(5) + 8 * HOUR - 1, message: m });
    d.step({ type: 'tick', at: day(5) + 8 * HOUR });
    d.step({ type: 'tick', at: day(5) + 8 * HOUR });
    d.step({ type: 'telemetry', at: day(5) + 8 * HOUR + 5, message: m });
    // The gateway clock steps back 30 min and runs on.
    d.readings(day(5) + 7.5 * HOUR, day(5) + 9 * HOUR, asleep);
    expect(d.raises()).toHaveLength(1);
  });

  it('raises nothing for a day without data, and checks the next day at the usual time', () => {
    const d = learned(5);
    // The band is silent from midnight after day 4 until 05:00 on day 6: nothing to judge day 5 by.
    d.tickUntil(day(6));
    d.readings(day(6) + 5 * HOUR, day(6) + 9 * HOUR, asleep);
    expect(d.raises().map((r) => r.at)).toEqual([day(6) + 8 * HOUR]);
  });

  it('checks by the wall clock on daylight-saving days', () => {
    // Learned in the week before 2026-03-29 (02:00 CET → 03:00 CEST) and before 2026-10-25.
    for (const [start, offset, change, after] of [
      ['2026-03-24', '+01:00', '2026-03-29', '+02:00'],
      ['2026-10-20', '+02:00', '2026-10-25', '+01:00'],
    ] as const) {
      const d = new KindDriver(notUp);
      const t0 = berlin(`${start} 00:00`, offset);
      const midnight = berlin(`${change} 00:00`, offset);
      d.readings(t0, midnight, rhythm());
      d.readings(midnight, midnight + 2 * HOUR, asleep);
      // The check is at 08:00 local, whatever the day's length.
      expect(d.wakeAt).toBe(berlin(`${change} 08:00`, after));
      d.readings(midnight + 2 * HOUR, midnight + 11 * HOUR, asleep);
      expect(d.raises().map((r) => r.at)).toEqual([berlin(`${change} 08:00`, after)]);
    }
  });

  it('ignores inputs it did not ask for, keeping its deadline', () => {
    const d = learned(5);
    d.readings(day(5), day(5) + 2 * HOUR, asleep);
    const wake = d.wakeAt;
    d.step({
      type: 'heartbeat',
      at: day(5) + 2 * HOUR,
      message: { seq: 1, ts: day(5) + 2 * HOUR, intervalS: 60 },
    });
    expect(d.wakeAt).toBe(wake);
  });
});
