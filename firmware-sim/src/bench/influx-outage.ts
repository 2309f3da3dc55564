/**
 * The influx-outage scenario: steady load forwarded into a real influxd, which is stopped for the
 * middle third of the run and started again. The outbox must hold everything meanwhile, write it
 * all once InfluxDB is back, and the alarm path must not notice.
 */
import type { Influxd } from '@careedge/gateway/harness/influxd';
import type { LoadGenerator } from '../load/generator.js';
import type { GatewayProcess } from './gateway-process.js';
import type { BenchOptions } from './options.js';
import { checkOutageTarget, drainFigures, type OutageResult, type OutboxSample } from './outage-report.js';
import { Progress } from './progress.js';
import { parsePrometheus, sumOf } from './prometheus.js';
import type { BenchResult } from './report.js';

/** Points per InfluxDB write (the gateway's default), also the backlog that counts as caught up. */
const BATCH_POINTS = 5000;

/** What the bench adds to the gateway's config: forwarding over v1 into the bench's influxd. */
export function forwardingConfig(influxd: Influxd, database: string) {
  return {
    influx: { url: influxd.url, version: 1, database },
    residentKeySecret: 'careedge-bench-secret-0123456789',
    outbox: { batchPoints: BATCH_POINTS },
  };
}

const SAMPLE_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gateway's forwarding counters, from one scrape of /metrics. */
async function forwardingMetrics(gateway: GatewayProcess) {
  const m = parsePrometheus(await gateway.metrics());
  return {
    at: Date.now(),
    backlog: sumOf(m, 'careedge_forward_outbox_points'),
    sent: sumOf(m, 'careedge_forward_points_sent_total'),
    queued: sumOf(m, 'careedge_forward_points_queued_total'),
    dropped: sumOf(m, 'careedge_forward_points_dropped_total'),
    deadLettered: sumOf(m, 'careedge_forward_points_dead_lettered_total'),
  };
}

/**
 * Points per measurement in InfluxDB. A point may leave fields out, so a measurement holds as many
 * points as its most-present field has values — except device_status, whose telemetry samples
 * (battery, signal, worn) and online/offline changes are separate points with no field in common.
 */
export async function pointsInInflux(influxd: Influxd): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const row of await influxd.query('SHOW MEASUREMENTS')) {
    const m = String(row.name);
    const counts = (await influxd.query(`SELECT count(*) FROM "${m}"`))[0] ?? {};
    const of = (field: string) => Number(counts[`count_${field}`] ?? 0);
    out[m] =
      m === 'device_status'
        ? of('battery_pct') + of('online')
        : Math.max(
            0,
            ...Object.keys(counts)
              .filter((k) => k.startsWith('count_'))
              .map((k) => Number(counts[k])),
          );
  }
  return out;
}

export async function runInfluxOutage(p: {
  load: LoadGenerator;
  gateway: GatewayProcess;
  influxd: Influxd;
  o: BenchOptions;
}): Promise<OutageResult> {
  const { load, gateway, influxd, o } = p;
  const samples: OutboxSample[] = [];
  const started = Date.now();
  const third = o.durationS / 3;

  /** Runs the load for `seconds`, sampling the outbox, with a progress bar. */
  const phase = async (name: string, seconds: number) => {
    const bar = new Progress('outage', Math.round(o.durationS));
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      await sleep(Math.min(SAMPLE_MS, until - Date.now()));
      if (gateway.exited) throw new Error(`the gateway exited during the run:\n${gateway.logTail()}`);
      const s = await forwardingMetrics(gateway);
      samples.push(s);
      bar.update(Math.min(o.durationS, Math.round((Date.now() - started) / 1000)), {
        phase: name,
        sent: (await load.refresh()).telemetrySent,
        backlog: s.backlog,
      });
    }
    bar.stop();
  };

  load.startSos();
  await phase('InfluxDB up  ', third);
  await influxd.stop();
  const downAt = Date.now();
  load.latency.resetHistogram();
  await phase('InfluxDB down', third);
  const latency = {
    samples: load.latency.histogram.totalCount,
    p50: load.latency.percentileMs(50),
    p99: load.latency.percentileMs(99),
    max: load.latency.maxMs,
  };
  await influxd.start();
  const backAt = Date.now();
  await phase('InfluxDB back', o.durationS - 2 * third);
  await load.stop();
  await load.drain(5000);

  const emptied = await waitForEmptyOutbox(gateway, samples, o.drainTimeoutS);
  // Health points keep coming every few seconds: count once nothing was queued during the count.
  let before = await forwardingMetrics(gateway);
  let byMeasurement = await pointsInInflux(influxd);
  for (let i = 0; i < 10; i++) {
    const after = await forwardingMetrics(gateway);
    if (after.queued === before.queued && after.backlog === 0) break;
    await sleep(500);
    before = await forwardingMetrics(gateway);
    byMeasurement = await pointsInInflux(influxd);
  }
  const inInflux = Object.values(byMeasurement).reduce((a, b) => a + b, 0);
  const stats = load.stats();
  const partial: Omit<OutageResult, 'target'> = {
    scenario: 'influx-outage',
    devices: o.devices,
    ratePerDevice: o.rate,
    durationS: o.durationS,
    warmupS: o.warmupS,
    sosPerMin: o.sosPerMin,
    outage: { fromS: (downAt - started) / 1000, toS: (backAt - started) / 1000 },
    points: {
      sent: before.queued,
      inInflux,
      duplicates: Math.max(0, inInflux - before.queued),
      missing: Math.max(0, before.queued - inInflux),
      byMeasurement,
      dropped: before.dropped,
      deadLettered: before.deadLettered,
    },
    outbox: {
      peak: Math.max(0, ...samples.map((s) => s.backlog)),
      ...drainFigures(samples, backAt, BATCH_POINTS),
      emptied,
    },
    alarmLatencyDuringOutageMs: latency,
    alarms: { sent: stats.sosSent, dispatched: stats.alarmsMatched, lost: stats.alarmsWaiting },
  };
  return { ...partial, target: checkOutageTarget(partial) };
}

/**
 * Scenario `forwarded`, after the load: waits for the outbox to empty, then compares the vitals
 * points in InfluxDB with the telemetry messages the gateway accepted (one point each).
 */
export async function forwardedFigures(
  gateway: GatewayProcess,
  influxd: Influxd,
  drainTimeoutS: number,
  telemetryAccepted: number,
): Promise<NonNullable<BenchResult['forwarding']>> {
  const outboxEmptied = await waitForEmptyOutbox(gateway, [], drainTimeoutS);
  const { dropped } = await forwardingMetrics(gateway);
  const vitalsInInflux = (await pointsInInflux(influxd)).wristband_vitals ?? 0;
  return {
    telemetryAccepted,
    vitalsInInflux,
    missing: Math.max(0, telemetryAccepted - vitalsInInflux),
    duplicates: Math.max(0, vitalsInInflux - telemetryAccepted),
    outboxEmptied,
    pointsDropped: dropped,
  };
}

/** After the load: waits until the outbox is empty (true) or the timeout (false), with a bar. */
async function waitForEmptyOutbox(
  gateway: GatewayProcess,
  samples: OutboxSample[],
  timeoutS: number,
): Promise<boolean> {
  const first = await forwardingMetrics(gateway);
  samples.push(first);
  const bar = new Progress('draining', Math.max(1, first.backlog));
  const until = Date.now() + timeoutS * 1000;
  let s = first;
  while (s.backlog > 0 && Date.now() < until) {
    await sleep(SAMPLE_MS);
    s = await forwardingMetrics(gateway);
    samples.push(s);
    bar.update(Math.max(0, first.backlog - s.backlog), { backlog: s.backlog });
  }
  bar.stop();
  return s.backlog === 0;
}
