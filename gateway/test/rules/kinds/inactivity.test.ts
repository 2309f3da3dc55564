import { describe, expect, it } from 'vitest';
import { type InactivityState, inactivity } from '../../../src/rules/kinds/inactivity.js';
import { HOUR, KindDriver, MIN } from '../../helpers/kind-driver.js';
import { day, local, rhythm } from './rhythm.js';

const driver = () => new KindDriver(inactivity);

/** The usual rhythm, but still (activity 1) from `from` for `hours`. */
const stillFrom =
  (from: number, hours: number, base = rhythm()) =>
  (at: number) =>
    at >= from && at < from + hours * HOUR ? { activity: 1 } : base(at);

/** A driver with `n` ordinary days learned (the baseline is ready from five). */
function learned(n: number, wakeMin = 7 * 60, base = rhythm(wakeMin)) {
  const d = driver();
  d.readings(day(0), day(n), base);
  return d;
}

describe('inactivity', () => {
  it('while learning, raises on the fixed fallback within the window and clears itself when activity returns', () => {
    const d = driver();
    const from = day(0) + 11 * HOUR;
    d.readings(day(0), day(0) + 16 * HOUR, stillFrom(from, 3));
    const [raise] = d.raises('inactivity');
    expect(raise!.action).toMatchObject({ type: 'raise', priority: 'low' });
    expect(raise!.action.type === 'raise' && raise!.action.reason).toMatch(/still learning/);
    expect(raise!.at).toBeGreaterThan(from + 45 * MIN);
    expect(raise!.at).toBeLessThanOrEqual(from + 60 * MIN);
    expect(d.raises()).toHaveLength(1);
    const [clear] = d.clears();
    expect(clear!.action).toMatchObject({ type: 'clear', by: 'rule' });
    expect(clear!.at).toBeGreaterThan(from + 3 * HOUR);
    expect(clear!.at).toBeLessThan(from + 3 * HOUR + 10 * MIN);
  });

  it("judges against the resident's own rhythm once learned: far below alerts, a quiet but usual level does not", () => {
    const d = learned(7);
    expect(d.raises()).toHaveLength(0);
    // 6 is above the fallback (3) but under 30 % of this resident's usual 25.
    const from = day(7) + 10 * HOUR;
    d.readings(day(7), day(8), (at) => (at >= from && at < from + 2 * HOUR ? { activity: 6 } : rhythm()(at)));
    const [raise] = d.raises();
    expect(raise!.action.type === 'raise' && raise!.action.reason).toMatch(/under 30 % of the usual 2\d/);
    expect(raise!.action.type === 'raise' && raise!.action.detail).toMatchObject({ daysLearned: 7 });
    // A resident whose day is always about 9: a day at 6 is their normal, not an alert.
    const calm = learned(7, 7 * 60, rhythm(7 * 60, 9));
    calm.readings(day(7), day(8), (at) =>
      at >= from && at < from + 2 * HOUR ? { activity: 6 } : rhythm(420, 9)(at),
    );
    expect(calm.raises()).toHaveLength(0);
  });

  it('never alerts in an hour the baseline knows as quiet (the floor), where the fallback would', () => {
    // Every day a nap from 14:00 to 15:30 (activity 1).
    const napping = (at: number) => {
      const m = local(at).minuteOfDay;
      return m >= 14 * 60 && m < 15.5 * 60 ? { activity: 1 } : rhythm()(at);
    };
    const d = learned(5, 7 * 60, napping);
    // While learning, the fixed fallback takes the nap for inactivity, every day.
    expect(d.raises()).toHaveLength(5);
    d.readings(day(5), day(8), napping);
    expect(d.raises()).toHaveLength(5);
  });

  it('does not look before the resident is up, outside waking hours, while the band is off or over data gaps', () => {
    const d = learned(6);
    // Sleeps until 11:00 (not-up's business), still in the evening from 19:30.
    const sleepy = (at: number) => {
      const m = local(at).minuteOfDay;
      return m < 11 * 60 || m >= 19.5 * 60 ? { activity: 1 } : rhythm()(at);
    };
    d.readings(day(6), day(7), sleepy);
    // Off the wrist 13:00–16:00 (activity 0).
    d.readings(day(7), day(8), (at) => {
      const h = local(at).hour;
      return h >= 13 && h < 16 ? { activity: 0, worn: false } : rhythm()(at);
    });
    // Still, but readings only every 15 min (out of range most of the time).
    d.readings(day(8), day(8) + 11 * HOUR, rhythm());
    d.readings(day(8) + 11 * HOUR, day(8) + 15 * HOUR, { activity: 1 }, 900);
    expect(d.raises()).toHaveLength(0);
  });

  it('raises once across duplicates, out-of-order readings, a device reboot and restarts between every step', () => {
    const d = learned(5);
    const from = day(5) + 11 * HOUR;
    d.readings(day(5), from, rhythm());
    d.reboot();
    for (let at = from; at < from + 3 * HOUR; at += 2 * MIN) {
      // Each pair arrives swapped, and the second one twice (a QoS 1 redelivery).
      const later = d.message(at + MIN, { activity: 1 });
      d.reading(at + MIN - 1, { activity: 1 });
      d.step({ type: 'telemetry', at: at + MIN, message: later });
      d.step({ type: 'telemetry', at: at + MIN + 200, message: later });
      d.step({ type: 'telemetry', at: at + 30_000, message: d.message(at, { activity: 1 }) });
    }
    expect(d.raises()).toHaveLength(1);
    expect(d.raises()[0]!.at).toBeLessThan(from + HOUR);
  });

  it('starts the window again after a clock jump forward, and survives one backward', () => {
    const d = learned(5);
    const from = day(5) + 10 * HOUR;
    d.readings(day(5), from, rhythm());
    // Still from 10:00, but the gateway clock jumps 2 h forward at 10:40: no window yet.
    d.readings(from, from + 40 * MIN, { activity: 1 });
    d.readings(from + 160 * MIN, from + 200 * MIN, { activity: 1 });
    expect(d.raises()).toHaveLength(0);
    d.readings(from + 200 * MIN, from + 240 * MIN, { activity: 1 });
    expect(d.raises()).toHaveLength(1);
    // The clock steps back an hour while still: no second alert, nothing thrown.
    d.readings(from + 180 * MIN, from + 300 * MIN, { activity: 1 });
    expect(d.raises()).toHaveLength(1);
  });

  it('does not raise the same stillness again after staff closed the alert, but does after activity came back', () => {
    const d = learned(5);
    const from = day(5) + 10 * HOUR;
    d.readings(day(5), from + 70 * MIN, stillFrom(from, 3));
    expect(d.raises()).toHaveLength(1);
    d.openAlert = null; // resolved by a carer, the resident still sitting
    d.readings(from + 70 * MIN, from + 3 * HOUR, { activity: 1 });
    expect(d.raises()).toHaveLength(1);
    expect(d.clears()).toHaveLength(0);
    d.readings(from + 3 * HOUR, from + 4 * HOUR, rhythm());
    expect(d.clears()).toHaveLength(0); // nothing open to clear
    d.readings(from + 4 * HOUR, from + 6 * HOUR, { activity: 1 });
    expect(d.raises()).toHaveLength(2);
  });

  it('keeps its state small and plain JSON after a fortnight at one reading a minute', () => {
    const d = learned(15);
    const json = JSON.stringify(d.state);
    expect(json.length).toBeLessThan(8000);
    expect(JSON.parse(json) as InactivityState).toEqual(d.state);
  });

  it('judges a wall-clock window on daylight-saving days (23 and 25 hours)', () => {
    for (const start of ['2026-03-22', '2026-10-18']) {
      const d = new KindDriver(inactivity);
      const t0 = Date.parse(`${start}T00:00:00${start.includes('-03-') ? '+01:00' : '+02:00'}`);
      // A week of ordinary days over the change, then the day after it still from 11:00.
      let t = t0;
      const base = rhythm();
      for (let i = 0; i < 8; i++) {
        const next = t + 30 * HOUR; // past the next local midnight whatever the day's length
        const midnight = next - local(next).minuteOfDay * MIN;
        d.readings(t, midnight, base);
        t = midnight;
      }
      const still = t + 11 * HOUR;
      expect(local(still).hour).toBe(11);
      d.readings(t, t + 16 * HOUR, stillFrom(still, 3));
      expect(d.raises()).toHaveLength(1);
      expect(d.raises()[0]!.action.type === 'raise' && d.raises()[0]!.action.reason).toMatch(/usual/);
    }
  });

  it('ignores every input but telemetry', () => {
    const d = driver();
    const r = d.step({ type: 'tick', at: day(0) });
    expect(r).toEqual([]);
    expect(d.wakeAt).toBeNull();
  });
});
