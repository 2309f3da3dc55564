import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { NotWornParams, notWorn, notWornDefaults } from '../../../src/rules/kinds/not-worn.js';
import { judge, runKindOverHistory, smallHistory } from '../../helpers/kind-ground-truth.js';
import { at, event, KindDriver, localTimeIn, T0, telemetry } from '../../helpers/rule-kind-driver.js';

const HOUR = 60; // minutes, for at()
const DAY = 24 * HOUR;
const drive = (overrides: Partial<NotWornParams> = {}) =>
  new KindDriver(notWorn, { ...notWornDefaults(), ...overrides }, T0, localTimeIn('UTC'));
/** Readings every `every` minutes from minute `from` to before `to`, worn or not. */
const readings = (d: ReturnType<typeof drive>, from: number, to: number, worn: boolean, every = 1) => {
  for (let m = from; m < to; m += every)
    d.feed(telemetry(at(m), { worn, ...(worn ? {} : { heartRateBpm: undefined, activity: 0 }) }));
};

describe('not-worn', () => {
  it('takes its defaults from the schema, valid under it', () => {
    expect(notWornDefaults()).toEqual({
      afterS: 3600,
      dayHours: '07:00-21:00',
      maxGapS: 300,
      priority: 'low',
    });
    expect(Value.Check(NotWornParams, notWornDefaults())).toBe(true);
  });

  it('raises on time from the off-wrist event, between readings, and clears by the device when worn again', () => {
    const d = drive();
    readings(d, 9 * HOUR, 10 * HOUR, true);
    d.feed(event(at(10 * HOUR), 'off-wrist'));
    expect(d.wakeAt).toBe(at(11 * HOUR));
    readings(d, 10 * HOUR + 2, 11 * HOUR + 30, false, 4); // every 4 min: none at 11:00
    expect(d.raises()).toMatchObject([
      {
        at: at(11 * HOUR),
        opened: true,
        action: { type: 'raise', alertKind: 'not-worn', priority: 'low', detail: { offForS: 3600 } },
      },
    ]);
    d.feed(telemetry(at(11 * HOUR + 31), { worn: true }));
    expect(d.log.at(-1)).toMatchObject({
      action: { type: 'clear', by: 'device', reason: 'band worn again' },
    });
    expect(d.alert).toBeNull();
    expect(d.wakeAt).toBeNull();
  });

  it('lets the evening charge pass, also one that runs past the end of the day', () => {
    const d = drive();
    readings(d, 20 * HOUR, 20 * HOUR + 30, true);
    readings(d, 20 * HOUR + 30, 21 * HOUR + 15, false); // 45 min on the charger
    readings(d, 21 * HOUR + 15, 22 * HOUR, true);
    readings(d, 22 * HOUR, 22 * HOUR + 10, false);
    readings(d, 22 * HOUR + 10, 23 * HOUR, true);
    expect(d.log).toEqual([]);
    expect(d.wakeAt).toBeNull();
  });

  it('counts only day hours: off all night raises an hour into the day, not at its start', () => {
    const d = drive();
    readings(d, 20 * HOUR, 20 * HOUR + 30, true);
    readings(d, 20 * HOUR + 30, DAY + 9 * HOUR, false, 2);
    expect(d.raises().map((r) => r.at)).toEqual([at(DAY + 8 * HOUR)]);
  });

  it('keeps to the local clock across a daylight-saving change (London, 25 October 2026)', () => {
    const d = new KindDriver(notWorn, notWornDefaults(), T0, localTimeIn('Europe/London'));
    const localMidnight = Date.UTC(2026, 9, 24, 23); // 00:00 BST; clocks go back at 02:00
    for (let t = localMidnight; t < Date.UTC(2026, 9, 25, 9); t += 120_000)
      d.feed(telemetry(t, { worn: false, seq: (t - localMidnight) / 1000 }));
    // 08:00 local, now GMT: an hour into the day.
    expect(d.raises().map((r) => r.at)).toEqual([Date.UTC(2026, 9, 25, 8)]);
  });

  it('takes a day that spans midnight', () => {
    const d = drive({ dayHours: '22:00-06:00' });
    readings(d, 21 * HOUR, DAY + 1 * HOUR, false, 2);
    expect(d.raises().map((r) => r.at)).toEqual([at(23 * HOUR)]);
  });

  it('does not count a silence as time off, and counts again from the band’s next word', () => {
    const d = drive();
    readings(d, 10 * HOUR, 10 * HOUR + 10, false); // then nothing: out of range
    d.runTicksBefore(at(12 * HOUR));
    expect(d.raises()).toEqual([]);
    readings(d, 12 * HOUR, 14 * HOUR, false);
    expect(d.raises().map((r) => r.at)).toEqual([at(13 * HOUR)]);
  });

  it('raises once per time off, even when staff close the alert; off again is a new one', () => {
    const d = drive();
    readings(d, 10 * HOUR, 11 * HOUR + 1, false);
    d.resolve();
    readings(d, 11 * HOUR + 1, 13 * HOUR, false);
    expect(d.raises()).toHaveLength(1);
    readings(d, 13 * HOUR, 13 * HOUR + 5, true);
    readings(d, 13 * HOUR + 5, 14 * HOUR + 10, false);
    expect(d.raises().map((r) => [r.at, r.opened])).toEqual([
      [at(11 * HOUR), true],
      [at(14 * HOUR + 5), true],
    ]);
  });

  it('takes a late tick: raises when the band was heard lately, waits for it otherwise; an early tick does nothing', () => {
    const d = drive();
    readings(d, 10 * HOUR, 10 * HOUR + 50, false);
    expect(d.step({ type: 'tick', at: at(10 * HOUR + 50) })).toEqual([]); // stale: before the deadline
    expect(d.wakeAt).toBe(at(11 * HOUR));
    // The engine was down: its tick comes 30 min late, the band last heard 40 min before. A
    // silence that long is a gap: the count starts again from the next reading.
    expect(d.step({ type: 'tick', at: at(11 * HOUR + 30) })).toEqual([]);
    expect(d.feed(telemetry(at(11 * HOUR + 31), { worn: false }))).toEqual([]);
    expect(d.wakeAt).toBe(at(12 * HOUR + 31));

    const busy = drive();
    readings(busy, 10 * HOUR, 11 * HOUR - 1, false);
    expect(busy.step({ type: 'tick', at: at(11 * HOUR, 40) })).toMatchObject([{ type: 'raise' }]);
  });

  it('is not fooled by the gateway clock: back an hour counts from the jump, a leap forward is a gap', () => {
    const d = drive();
    readings(d, 10 * HOUR, 10 * HOUR + 40, false);
    const back = at(10 * HOUR + 40) - 60 * 60_000;
    d.feed(telemetry(back, { worn: false, seq: 40_000, ts: at(10 * HOUR + 40) }));
    expect(d.wakeAt).toBe(back + 3_600_000);
    const e = drive();
    readings(e, 10 * HOUR, 10 * HOUR + 10, false);
    e.feed(telemetry(at(13 * HOUR + 10), { worn: false }));
    expect(e.raises()).toEqual([]);
    expect(e.wakeAt).toBe(at(14 * HOUR + 10));
  });

  it('drops a late "worn" reading and repeated events; counts on through a device reboot', () => {
    const d = drive();
    d.feed(event(at(10 * HOUR), 'off-wrist'));
    readings(d, 10 * HOUR, 10 * HOUR + 30, false);
    d.feed({ ...event(at(10 * HOUR), 'off-wrist'), at: at(10 * HOUR + 30) }); // redelivered
    d.feed(telemetry(at(10 * HOUR + 30), { worn: true, seq: 36_000 + 25 * 60, ts: at(10 * HOUR + 25) })); // late
    // Reboot: seq from 0, device clock reset.
    d.feed(telemetry(at(10 * HOUR + 31), { worn: false, seq: 0, ts: 1_000 }));
    d.feed(telemetry(at(10 * HOUR + 32), { worn: false, seq: 1, ts: 61_000 }));
    readings(d, 10 * HOUR + 33, 11 * HOUR + 10, false);
    expect(d.raises().map((r) => r.at)).toEqual([at(11 * HOUR)]);
  });

  it('after a restart mid-window fires once, on time', () => {
    const d = drive();
    readings(d, 10 * HOUR, 10 * HOUR + 30, false);
    const after = d.restarted();
    after.feed(telemetry(at(10 * HOUR + 29), { worn: false })); // redelivered
    readings(after, 10 * HOUR + 30, 11 * HOUR + 30, false);
    expect(after.raises().map((r) => r.at)).toEqual([at(11 * HOUR)]);
    const again = after.restarted();
    readings(again, 11 * HOUR + 30, 12 * HOUR, false);
    expect(again.log).toEqual([]);
  });

  it('ground truth: detects every band taken off in time, ≤ 1 false alert per resident-week', () => {
    const history = smallHistory();
    const runs = runKindOverHistory(history, notWorn, notWornDefaults());
    const v = judge(
      history.truth,
      'band-off',
      runs,
      (i) => i.residentId,
      (a) => a.opened,
    );
    expect(v.incidents.length).toBeGreaterThanOrEqual(3);
    expect(v.missed).toEqual([]);
    expect(Math.min(...v.delaysS)).toBeGreaterThanOrEqual(3600);
    expect(v.falseAlerts.length).toBeLessThanOrEqual(v.residentWeeks);
  });
});
