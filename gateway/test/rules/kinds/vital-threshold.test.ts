import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  VitalThresholdParams,
  vitalThreshold,
  vitalThresholdDefaults,
} from '../../../src/rules/kinds/vital-threshold.js';
import { judge, runKindOverHistory, smallHistory } from '../../helpers/kind-ground-truth.js';
import { at, detailOf, KindDriver, T0, telemetry } from '../../helpers/rule-kind-driver.js';

const HOUR = 3_600_000;
const drive = (overrides: Partial<ReturnType<typeof vitalThresholdDefaults>> = {}) =>
  new KindDriver(vitalThreshold, { ...vitalThresholdDefaults(), ...overrides }, T0);
/** Heart-rate readings every `everyS` seconds from `fromS`, one per value. */
const feedHr = (d: ReturnType<typeof drive>, fromS: number, everyS: number, values: (number | undefined)[]) =>
  values.flatMap((hr, i) => d.feed(telemetry(at(0, fromS + i * everyS), { heartRateBpm: hr })));

describe('vital-threshold', () => {
  it('takes its defaults from the schema, valid under it', () => {
    expect(vitalThresholdDefaults()).toEqual({
      field: 'heartRateBpm',
      above: 120,
      below: 40,
      sustainS: 60,
      hysteresis: 5,
      maxGapS: 180,
      minReraiseS: 900,
      priority: 'medium',
    });
    expect(Value.Check(VitalThresholdParams, vitalThresholdDefaults())).toBe(true);
  });

  it('raises once the heart rate has stayed above the limit for the sustain time, not before', () => {
    const d = drive();
    expect(feedHr(d, 0, 10, [130, 131, 133, 129, 135, 128])).toEqual([]); // 0..50 s
    const [raise] = d.feed(telemetry(at(1), { heartRateBpm: 132 }));
    expect(raise).toMatchObject({
      type: 'raise',
      alertKind: 'vital-sign',
      priority: 'medium',
      detail: {
        field: 'heartRateBpm',
        side: 'above',
        value: 132,
        worst: 135,
        limit: 120,
        unit: 'bpm',
        sustainedS: 60,
      },
    });
    expect(d.raises().map((r) => r.at)).toEqual([at(1)]);
  });

  it('raises for a rate below the lower limit too', () => {
    const d = drive();
    feedHr(d, 0, 30, [38, 36, 37]);
    expect(d.raises()).toHaveLength(1);
    expect(d.raises()[0]!.action).toMatchObject({ detail: { side: 'below', worst: 36, limit: 40 } });
  });

  it('does not raise for a spike, and a reading back inside restarts the sustain', () => {
    const d = drive();
    feedHr(d, 0, 20, [140, 72, 130, 130, 120, 130, 130, 130]);
    // 140 alone; 130 from 40 s broken by 120 at 80 s (not above 120); 130 from 100 s to 140 s.
    expect(d.raises()).toEqual([]);
    feedHr(d, 160, 20, [130]);
    expect(d.raises().map((r) => r.at)).toEqual([at(0, 160)]);
  });

  it('clears (by rule) only when the value is back inside by the hysteresis', () => {
    const d = drive();
    feedHr(d, 0, 30, [130, 130, 130]);
    expect(d.alert).not.toBeNull();
    expect(feedHr(d, 90, 30, [118, 116, 121])).toEqual([]);
    const [clear] = feedHr(d, 180, 30, [115]);
    expect(clear).toMatchObject({ type: 'clear', by: 'rule' });
    expect(d.alert).toBeNull();
  });

  it('ends a raised condition whose limit a rules change removed', () => {
    const d = drive();
    feedHr(d, 0, 30, [130, 130, 130]);
    const changed = d.restarted({ ...vitalThresholdDefaults(), above: null });
    expect(feedHr(changed, 90, 30, [131])).toMatchObject([{ type: 'clear', by: 'rule' }]);
  });

  it('does not re-raise a flapping condition before the minimum interval, then raises once it persists', () => {
    const d = drive();
    feedHr(d, 0, 30, [130, 130, 130, 100]); // raise at 60 s, clear at 90 s
    feedHr(d, 120, 30, [130, 130, 130, 100, 130, 130, 130]); // sustained again at 180 s and 270 s
    expect(d.raises().map((r) => r.at)).toEqual([at(1)]);
    // Still above 15 min after the first raise: the condition persists, so it raises again.
    feedHr(
      d,
      360,
      60,
      Array.from({ length: 11 }, () => 130),
    );
    expect(d.raises().map((r) => r.at)).toEqual([at(1), at(16)]);
  });

  it('repeats while open only for a new worst value (by the hysteresis margin)', () => {
    const d = drive();
    feedHr(d, 0, 30, [130, 130, 130]);
    feedHr(d, 90, 30, [131, 133, 134, 130, 129]);
    expect(d.raises()).toHaveLength(1);
    feedHr(d, 240, 30, [136, 139, 140]);
    const raises = d.raises();
    expect(raises.map((r) => [r.at, detailOf(r.action)?.worst, r.opened])).toEqual([
      [at(1), 130, true],
      [at(4), 136, false],
    ]);
  });

  it('after staff resolved it, re-raises only for a worse value and not before the interval', () => {
    const d = drive();
    feedHr(d, 0, 60, [130, 130]);
    d.resolve();
    feedHr(d, 120, 60, [130, 130, 130, 133]); // not worse than reported
    expect(d.raises()).toHaveLength(1);
    feedHr(d, 360, 60, [140]); // worse, but within 15 min of the raise: it waits
    feedHr(
      d,
      420,
      60,
      Array.from({ length: 9 }, () => 133),
    );
    expect(d.raises()).toHaveLength(1);
    feedHr(d, 960, 60, [133]);
    expect(d.raises().map((r) => [r.at, r.opened])).toEqual([
      [at(1), true],
      [at(16), true],
    ]);
    expect(d.raises()[1]!.action).toMatchObject({ detail: { worst: 140, value: 133 } });
  });

  it('ignores readings without the field (band not worn): neither in nor out of range', () => {
    const d = drive();
    feedHr(d, 0, 20, [130, undefined, undefined, 130]);
    expect(d.raises().map((r) => r.at)).toEqual([at(1)]);
    // A raised condition is not cleared by the band coming off.
    feedHr(d, 80, 60, [undefined, undefined]);
    expect(d.log.filter((a) => a.action.type === 'clear')).toEqual([]);
  });

  it('restarts the sustain after a gap: no alert from two readings an hour apart', () => {
    const d = drive();
    d.feed(telemetry(at(0), { heartRateBpm: 130 }));
    d.feed(telemetry(at(60), { heartRateBpm: 130 }));
    d.feed(telemetry(at(64), { heartRateBpm: 130 })); // 4 min later: still a gap (> 180 s)
    expect(d.raises()).toEqual([]);
    d.feed(telemetry(at(65), { heartRateBpm: 130 }));
    expect(d.raises().map((r) => r.at)).toEqual([at(65)]);
  });

  it('is not fooled by the gateway clock: back an hour restarts the sustain, a leap forward is a gap', () => {
    const d = drive();
    d.feed(telemetry(at(0), { heartRateBpm: 130 }));
    d.feed(telemetry(at(0, 30), { heartRateBpm: 130 }));
    d.feed(telemetry(at(0, 40) - HOUR, { heartRateBpm: 130, seq: 40, ts: at(0, 40) }));
    d.feed(telemetry(at(0, 70) - HOUR, { heartRateBpm: 130, seq: 70, ts: at(0, 70) }));
    expect(d.raises()).toEqual([]); // 30 s since the jump, not 70
    d.feed(telemetry(at(1, 40) - HOUR, { heartRateBpm: 130, seq: 100, ts: at(1, 40) }));
    expect(d.raises()).toHaveLength(1);

    const e = drive();
    e.feed(telemetry(at(0), { heartRateBpm: 130 }));
    e.feed(telemetry(at(0) + 5 * HOUR, { heartRateBpm: 130 }));
    expect(e.raises()).toEqual([]);
  });

  it('drops a duplicate and a late older reading; counts on through a device reboot', () => {
    const d = drive();
    const first = telemetry(at(0), { heartRateBpm: 130 });
    d.feed(first);
    d.feed({ ...first, at: at(1) }); // the same message again, a minute later
    expect(d.raises()).toEqual([]);
    feedHr(d, 70, 10, [130]);
    expect(d.raises()).toHaveLength(1); // 0 → 70 s: sustained by a real reading
    // A reading from before, arriving late, does not clear the condition.
    expect(d.feed(telemetry(at(1, 20), { heartRateBpm: 80, seq: 5, ts: at(0, 5) }))).toEqual([]);
    expect(d.alert).not.toBeNull();

    // Reboot: seq from 0 and the device clock reset to 1970; the readings still count.
    const r = drive();
    r.feed(telemetry(at(0), { heartRateBpm: 130, seq: 500 }));
    r.feed(telemetry(at(0, 30), { heartRateBpm: 130, seq: 0, ts: 1_000 }));
    r.feed(telemetry(at(1), { heartRateBpm: 130, seq: 1, ts: 31_000 }));
    expect(r.raises().map((x) => x.at)).toEqual([at(1)]);
  });

  it('does nothing on a tick: it raises on readings only', () => {
    const d = drive();
    feedHr(d, 0, 30, [130]);
    expect(d.wakeAt).toBeNull();
    expect(d.step({ type: 'tick', at: at(5) })).toEqual([]);
  });

  it('after a restart mid-window neither raises twice nor loses the window', () => {
    const d = drive();
    feedHr(d, 0, 20, [130, 130]);
    const mid = d.restarted();
    feedHr(mid, 40, 20, [130, 130]);
    expect(mid.raises().map((r) => r.at)).toEqual([at(1)]);
    const after = mid.restarted();
    // The last reading redelivered after the restart, and the next one: no second raise.
    after.feed(telemetry(at(1), { heartRateBpm: 130 }));
    feedHr(after, 80, 20, [130, 131]);
    expect(after.raises()).toEqual([]);
  });

  it('ground truth: detects every tachycardia in time, ≤ 1 false alert per resident-week', () => {
    const history = smallHistory();
    const runs = runKindOverHistory(history, vitalThreshold, vitalThresholdDefaults());
    const v = judge(
      history.truth,
      'tachycardia',
      runs,
      (i) => i.residentId,
      (a) => a.action.type === 'raise',
    );
    expect(v.incidents.length).toBeGreaterThanOrEqual(3);
    expect(v.missed).toEqual([]);
    expect(Math.max(...v.delaysS)).toBeLessThanOrEqual(300);
    expect(v.falseAlerts.length).toBeLessThanOrEqual(v.residentWeeks);
  });
});
