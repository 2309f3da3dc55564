/**
 * The influx-outage scenario's result: what the gateway queued against what InfluxDB holds, the
 * outbox's peak and drain rate from the gateway's metrics over time, alarm latency while InfluxDB
 * was down, with PASS/MISS against the targets of the forwarding path.
 */
import { formatChecks, formatRows, type TargetCheck } from './report.js';

export const OUTAGE_TARGET = {
  name: 'InfluxDB outage: nothing lost, nothing doubled, drain ≥ 50,000 points/s',
  drainPointsPerS: 50_000,
} as const;

/** One look at the gateway's forwarding metrics. */
export interface OutboxSample {
  /** Wall-clock ms. */
  at: number;
  /** careedge_forward_outbox_points */
  backlog: number;
  /** careedge_forward_points_sent_total: points InfluxDB confirmed so far. */
  sent: number;
}

export interface OutageResult {
  scenario: 'influx-outage';
  devices: number;
  ratePerDevice: number;
  durationS: number;
  warmupS: number;
  sosPerMin: number;
  /** InfluxDB was down between these seconds of the measured run. */
  outage: { fromS: number; toS: number };
  points: {
    /** What the gateway handed to its outbox (careedge_forward_points_queued_total). */
    sent: number;
    inInflux: number;
    /** Points in InfluxDB beyond those sent: a retried write under another timestamp. */
    duplicates: number;
    /** Points sent that InfluxDB does not hold. */
    missing: number;
    byMeasurement: Record<string, number>;
    /** Dropped by the outbox's size policy, and refused by InfluxDB as malformed: both count as missing. */
    dropped: number;
    deadLettered: number;
  };
  outbox: {
    peak: number;
    /** Points confirmed per second from InfluxDB's first accepted write after the outage until the backlog was caught up. */
    drainPointsPerS: number | null;
    /** Seconds from InfluxDB being back to the outbox's first write (its retry backoff). */
    resumedAfterS: number | null;
    /** Seconds from InfluxDB being back until the backlog was caught up. */
    caughtUpAfterS: number | null;
    /** The backlog reached 0 after the load stopped, within the drain timeout. */
    emptied: boolean;
  };
  alarmLatencyDuringOutageMs: { samples: number; p50: number; p99: number; max: number };
  alarms: { sent: number; dispatched: number; lost: number };
  target: { name: string; met: boolean; checks: TargetCheck[] };
}

export interface DrainFigures {
  drainPointsPerS: number | null;
  resumedAfterS: number | null;
  caughtUpAfterS: number | null;
}

/**
 * The drain after InfluxDB came back (at `backAt`), from the samples, until the backlog is down to
 * `caughtUpAt` points (one batch: what steady load keeps in flight). The rate is taken between
 * samples inside the drain (the first that saw a write, the last still behind) when there are a
 * few, since a bracket around it would add up to a sampling interval at each end; a drain shorter
 * than that is bracketed by the samples around it. Points confirmed meanwhile include those the
 * load added during the drain, which the outbox wrote too.
 */
export function drainFigures(samples: OutboxSample[], backAt: number, caughtUpAt: number): DrainFigures {
  const none: DrainFigures = { drainPointsPerS: null, resumedAfterS: null, caughtUpAfterS: null };
  const after = samples.filter((s) => s.at >= backAt);
  const first = after[0];
  if (!first) return none;
  const resumed = after.findIndex((s) => s.sent > first.sent);
  if (resumed < 1) return none;
  const resumedAfterS = (after[resumed]!.at - backAt) / 1000;
  const caughtUp = after.findIndex((s, i) => i >= resumed && s.backlog <= caughtUpAt);
  if (caughtUp < 0) return { ...none, resumedAfterS };
  const caughtUpAfterS = (after[caughtUp]!.at - backAt) / 1000;
  // A backlog of one batch or less is written in one go: too little to measure a rate on.
  if (Math.max(...after.slice(0, resumed).map((s) => s.backlog)) <= caughtUpAt)
    return { ...none, resumedAfterS, caughtUpAfterS };
  const inside = caughtUp - 1 - resumed >= INSIDE_SAMPLES;
  const start = inside ? after[resumed]! : after[resumed - 1]!;
  const end = inside ? after[caughtUp - 1]! : after[caughtUp]!;
  return {
    drainPointsPerS: end.at > start.at ? ((end.sent - start.sent) * 1000) / (end.at - start.at) : null,
    resumedAfterS,
    caughtUpAfterS,
  };
}

/** Sampling intervals inside the drain needed to measure it from inside. */
const INSIDE_SAMPLES = 3;

export function checkOutageTarget(r: Omit<OutageResult, 'target'>): OutageResult['target'] {
  const drain = r.outbox.drainPointsPerS;
  const checks: TargetCheck[] = [
    {
      what: 'points in InfluxDB',
      target: `= ${r.points.sent} sent`,
      actual: `${r.points.inInflux} (${r.points.missing} missing)`,
      pass: r.points.sent > 0 && r.points.inInflux === r.points.sent,
    },
    { what: 'duplicates', target: '0', actual: String(r.points.duplicates), pass: r.points.duplicates === 0 },
    {
      what: 'outbox drain',
      target: `≥ ${OUTAGE_TARGET.drainPointsPerS} points/s`,
      actual:
        drain !== null
          ? `${drain.toFixed(0)} points/s`
          : r.outbox.resumedAfterS === null
            ? 'InfluxDB took no write after the outage'
            : 'not measured: the backlog was a batch or less (run longer or with more load)',
      pass: drain !== null && drain >= OUTAGE_TARGET.drainPointsPerS,
    },
    {
      what: 'outbox emptied',
      target: 'backlog 0 after the load',
      actual: r.outbox.emptied ? 'yes' : 'no (drain timeout)',
      pass: r.outbox.emptied,
    },
    {
      what: 'alarms lost',
      target: '0',
      actual: `${r.alarms.lost} of ${r.alarms.sent}`,
      pass: r.alarms.lost === 0,
    },
  ];
  return { name: OUTAGE_TARGET.name, met: checks.every((c) => c.pass), checks };
}

const opt = (v: number | null, f: (v: number) => string) => (v === null ? 'n/a' : f(v));

export function formatOutage(r: OutageResult): string {
  const l = r.alarmLatencyDuringOutageMs;
  const rows: [string, string][] = [
    ['load', `${r.devices} bands × ${r.ratePerDevice} msg/s, ${r.sosPerMin} SOS/min`],
    ['duration', `${r.durationS} s measured after ${r.warmupS} s warm-up`],
    ['InfluxDB down', `from ${r.outage.fromS.toFixed(0)} s to ${r.outage.toS.toFixed(0)} s`],
    ['points sent', String(r.points.sent)],
    ['points in InfluxDB', String(r.points.inInflux)],
    ...Object.entries(r.points.byMeasurement).map(([m, n]): [string, string] => [`  ${m}`, String(n)]),
    ['duplicates', String(r.points.duplicates)],
    ['missing', `${r.points.missing} (dropped ${r.points.dropped}, dead-lettered ${r.points.deadLettered})`],
    ['outbox peak', `${r.outbox.peak} points`],
    ['outbox drain', opt(r.outbox.drainPointsPerS, (v) => `${v.toFixed(0)} points/s`)],
    ['  first write after', opt(r.outbox.resumedAfterS, (v) => `${v.toFixed(1)} s (retry backoff)`)],
    ['  caught up after', opt(r.outbox.caughtUpAfterS, (v) => `${v.toFixed(1)} s`)],
    [
      'alarm latency in outage',
      `${l.samples} samples: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`,
    ],
    ['alarms', `${r.alarms.sent} sent, ${r.alarms.dispatched} dispatched, ${r.alarms.lost} lost`],
  ];
  return [...formatRows(rows), '', ...formatChecks(r.target, r.target.met ? 'PASS' : 'MISS')].join('\n');
}
