import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { BatteryLowParams, batteryLow, batteryLowDefaults } from '../../../src/rules/kinds/battery-low.js';
import { judge, runKindOverHistory, smallHistory } from '../../helpers/kind-ground-truth.js';
import { at, KindDriver, T0, telemetry } from '../../helpers/rule-kind-driver.js';

const HOUR = 3_600_000;
const drive = (overrides: Partial<BatteryLowParams> = {}) =>
  new KindDriver(batteryLow, { ...batteryLowDefaults(), ...overrides }, T0);
/** Battery readings a minute apart from minute `from`. */
const feedPct = (d: ReturnType<typeof drive>, from: number, values: number[]) =>
  values.flatMap((batteryPct, i) => d.feed(telemetry(at(from + i), { batteryPct })));
const types = (d: ReturnType<typeof drive>) => d.log.map((a) => a.action.type);

describe('battery-low', () => {
  it('takes its defaults from the schema, valid under it', () => {
    expect(batteryLowDefaults()).toEqual({
      lowPct: 20,
      criticalPct: 10,
      rechargePct: 30,
      lowPriority: 'low',
      criticalPriority: 'medium',
    });
    expect(Value.Check(BatteryLowParams, batteryLowDefaults())).toBe(true);
  });

  it('raises low at 20 %, raises the priority at 10 %, one alert throughout', () => {
    const d = drive();
    feedPct(d, 0, [23, 21, 20]);
    expect(d.log).toMatchObject([
      { at: at(2), opened: true, action: { type: 'raise', alertKind: 'battery-low', priority: 'low' } },
    ]);
    feedPct(d, 3, [19, 15, 11, 10, 9, 5]);
    expect(d.log.slice(1)).toMatchObject([
      {
        at: at(6),
        action: { type: 'set-priority', priority: 'medium', reason: 'battery 10 % (critical at 10 %)' },
      },
    ]);
    expect(d.alert).toMatchObject({ id: 1, priority: 'medium' });
  });

  it('raises at the critical priority when the first low reading is already critical', () => {
    const d = drive({ criticalPriority: 'high' });
    feedPct(d, 0, [40, 8]);
    expect(d.log).toMatchObject([{ opened: true, action: { type: 'raise', priority: 'high' } }]);
  });

  it('does not flap around the limit, and clears (by the device) only at the recharge level', () => {
    const d = drive();
    feedPct(d, 0, [21, 20, 21, 20, 22, 19, 25, 29]);
    expect(types(d)).toEqual(['raise']);
    feedPct(d, 8, [30]);
    expect(d.log[1]).toMatchObject({ at: at(8), action: { type: 'clear', by: 'device' } });
    expect(d.alert).toBeNull();
    // A new discharge after the recharge is a new alert.
    feedPct(d, 9, [24, 20]);
    expect(d.raises().map((r) => [r.at, r.opened])).toEqual([
      [at(1), true],
      [at(10), true],
    ]);
  });

  it('after staff closed the low alert, stays quiet until it turns critical, then raises anew', () => {
    const d = drive();
    feedPct(d, 0, [20]);
    d.resolve();
    feedPct(d, 1, [18, 15, 12]);
    expect(types(d)).toEqual(['raise']);
    feedPct(d, 4, [10]);
    expect(d.log[1]).toMatchObject({ opened: true, action: { type: 'raise', priority: 'medium' } });
    feedPct(d, 5, [9, 8]);
    expect(d.log).toHaveLength(2);
  });

  it('never lowers a priority by "escalating": critical at the same priority as the open alert changes nothing', () => {
    const d = drive({ criticalPriority: 'low' });
    feedPct(d, 0, [20, 10]);
    expect(types(d)).toEqual(['raise']);
  });

  it('drops a late older reading and a repeat; takes a reboot (seq from 0, clock reset) as it comes', () => {
    const d = drive();
    feedPct(d, 0, [22, 19]);
    // From before the raise, arriving late: not a recharge.
    expect(d.feed(telemetry(at(3), { batteryPct: 35, seq: 30, ts: at(0, 30) }))).toEqual([]);
    const last = telemetry(at(4), { batteryPct: 9 });
    d.feed(last);
    d.feed({ ...last, at: at(5) });
    expect(types(d)).toEqual(['raise', 'set-priority']);
    // The band died and came back on charge: seq from 0, its clock reset to 1970.
    const [clear] = d.feed(telemetry(at(300), { batteryPct: 60, seq: 0, ts: 5_000 }));
    expect(clear).toMatchObject({ type: 'clear', by: 'device', reason: 'battery charged to 60 %' });
  });

  it('is indifferent to the gateway clock and to ticks: only the readings count', () => {
    const d = drive();
    feedPct(d, 0, [25]);
    d.feed(telemetry(at(1) - 5 * HOUR, { batteryPct: 19, seq: 100, ts: at(1) }));
    d.feed(telemetry(at(1) + 9 * HOUR, { batteryPct: 18, seq: 101, ts: at(2) }));
    expect(d.step({ type: 'tick', at: at(1) + 10 * HOUR })).toEqual([]);
    expect(types(d)).toEqual(['raise']);
    expect(d.wakeAt).toBeNull();
  });

  it('after a restart neither raises again nor forgets the level', () => {
    const d = drive();
    feedPct(d, 0, [19]);
    const after = d.restarted();
    after.feed(telemetry(at(0), { batteryPct: 19 })); // redelivered
    feedPct(after, 1, [18, 17]);
    expect(after.log).toEqual([]);
    feedPct(after, 3, [10]);
    expect(after.log).toMatchObject([{ action: { type: 'set-priority', priority: 'medium' } }]);
  });

  it('ground truth: warns of every dead battery in time, ≤ 1 false alert per resident-week', () => {
    const history = smallHistory();
    const runs = runKindOverHistory(history, batteryLow, batteryLowDefaults());
    const v = judge(
      history.truth,
      'dead-battery',
      runs,
      (i) => i.deviceId,
      (a) => a.opened,
    );
    expect(v.incidents.length).toBeGreaterThanOrEqual(3);
    expect(v.missed).toEqual([]);
    // The warning comes while the band still works: before it reaches 0 %.
    for (const incident of v.incidents) {
      const first = runs
        .find((r) => r.subject === incident.deviceId)!
        .actions.find((a) => a.at >= incident.startTs)!;
      expect(first.at).toBeLessThan(incident.marks.batteryZeroTs!);
    }
    expect(v.falseAlerts.length).toBeLessThanOrEqual(v.residentWeeks);
  });
});
