import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/bench/options.js';
import {
  checkOutageTarget,
  drainFigures,
  formatOutage,
  type OutageResult,
  type OutboxSample,
} from '../../src/bench/outage-report.js';

describe('bench options', () => {
  it('runs the steady scenario unless told otherwise, with the defaults of before', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({ scenario: 'steady', devices: 2000, rate: 1, durationS: 60, json: false });
    expect(o.workers).toBe(1);
    expect(o.rules, "the gateway's own rules file").toBeUndefined();
    expect(parseOptions(['--rules', 'calls-only']).rules).toBe('calls-only');
  });

  it('takes --scenario influx-outage with the load and the drain timeout', () => {
    const o = parseOptions([
      '--scenario',
      'influx-outage',
      '--devices',
      '500',
      '--duration',
      '30',
      '--drain-timeout',
      '45',
      '--json',
    ]);
    expect(o).toMatchObject({
      scenario: 'influx-outage',
      devices: 500,
      durationS: 30,
      drainTimeoutS: 45,
      json: true,
    });
  });

  it('says which option is wrong', () => {
    expect(() => parseOptions(['--scenario', 'flood'])).toThrow(
      '--scenario must be one of steady, influx-outage, forwarded, serial (got flood)',
    );
    expect(() => parseOptions(['--drain-timeout', '0'])).toThrow('--drain-timeout must be a number ≥ 1');
  });
});

/** Samples every 100 ms from t=0: backlog and sent as given. */
const series = (rows: [number, number][]): OutboxSample[] =>
  rows.map(([backlog, sent], i) => ({ at: i * 100, backlog, sent }));

describe('outbox drain from the metrics over time', () => {
  it('measures inside a long drain: from the first sample that saw a write to the last still behind', () => {
    const samples = series([
      [40_000, 0], // InfluxDB back at t=0, still in backoff
      [40_200, 0],
      [35_000, 5_000], // t=200: first write seen
      [30_000, 10_000],
      [25_000, 15_000],
      [20_000, 20_000],
      [10_000, 30_000], // t=600: last still behind
      [100, 40_300], // t=700: caught up
    ]);
    const d = drainFigures(samples, 0, 5000);
    expect(d.drainPointsPerS).toBeCloseTo(25_000 / 0.4);
    expect(d.resumedAfterS).toBeCloseTo(0.2);
    expect(d.caughtUpAfterS).toBeCloseTo(0.7);
  });

  it('brackets a drain shorter than a few samples by the samples around it', () => {
    const d = drainFigures(
      series([
        [9000, 0],
        [9100, 0],
        [0, 9100],
      ]),
      0,
      5000,
    );
    expect(d.drainPointsPerS).toBeCloseTo(91_000);
  });

  it('does not measure a backlog of one batch or less, written in one go', () => {
    const d = drainFigures(
      series([
        [3000, 0],
        [3100, 0],
        [0, 3100],
      ]),
      0,
      5000,
    );
    expect(d).toEqual({ drainPointsPerS: null, resumedAfterS: 0.2, caughtUpAfterS: 0.2 });
  });

  it('measures nothing when InfluxDB never took a write after the outage', () => {
    expect(
      drainFigures(
        series([
          [5000, 0],
          [6000, 0],
        ]),
        0,
        5000,
      ),
    ).toEqual({
      drainPointsPerS: null,
      resumedAfterS: null,
      caughtUpAfterS: null,
    });
    // Samples before InfluxDB came back do not count.
    expect(
      drainFigures(
        series([
          [0, 0],
          [0, 10],
          [10, 10],
        ]),
        150,
        5000,
      ).drainPointsPerS,
    ).toBeNull();
  });
});

describe('outage result', () => {
  const result = (over: {
    inInflux?: number;
    drain?: number | null;
    emptied?: boolean;
  }): Omit<OutageResult, 'target'> => {
    const inInflux = over.inInflux ?? 1000;
    return {
      scenario: 'influx-outage',
      devices: 2000,
      ratePerDevice: 1,
      durationS: 60,
      warmupS: 5,
      sosPerMin: 300,
      outage: { fromS: 20, toS: 40 },
      points: {
        sent: 1000,
        inInflux,
        duplicates: Math.max(0, inInflux - 1000),
        missing: Math.max(0, 1000 - inInflux),
        byMeasurement: { wristband_vitals: inInflux },
        dropped: 0,
        deadLettered: 0,
      },
      outbox: {
        peak: 800,
        drainPointsPerS: over.drain === undefined ? 60_000 : over.drain,
        resumedAfterS: 1,
        caughtUpAfterS: 2,
        emptied: over.emptied ?? true,
      },
      alarmLatencyDuringOutageMs: { samples: 100, p50: 2, p99: 8, max: 9 },
      alarms: { sent: 300, dispatched: 300, lost: 0 },
    };
  };

  it('passes when every point arrived once and the outbox drained fast enough', () => {
    const r = result({});
    const target = checkOutageTarget(r);
    expect(target.met).toBe(true);
    const text = formatOutage({ ...r, target });
    expect(text).toContain('): PASS');
    expect(text).toContain('PASS  outbox drain         60000 points/s');
  });

  it('misses on a missing point, a duplicate, a slow or unmeasured drain, or a backlog left', () => {
    const failed = (r: Omit<OutageResult, 'target'>) =>
      checkOutageTarget(r)
        .checks.filter((c) => !c.pass)
        .map((c) => c.what);
    expect(failed(result({ inInflux: 999 }))).toEqual(['points in InfluxDB']);
    expect(failed(result({ inInflux: 1001 }))).toEqual(['points in InfluxDB', 'duplicates']);
    expect(failed(result({ drain: 49_999 }))).toEqual(['outbox drain']);
    expect(failed(result({ drain: null }))).toEqual(['outbox drain']);
    expect(checkOutageTarget(result({ drain: null })).checks[2]?.actual).toContain('not measured');
    expect(failed(result({ emptied: false }))).toEqual(['outbox emptied']);
  });
});
