/** The bench result, its target check, and how it is printed (table or JSON). */
import type { AlarmBreakdown } from '../load/alarm-latency.js';

export interface BenchResult {
  devices: number;
  ratePerDevice: number;
  durationS: number;
  warmupS: number;
  sosPerMin: number;
  alarmLatencyMs: { samples: number; p50: number; p99: number; max: number };
  /** The slowest alarms, split into band → alert raised → dispatch made → handset. */
  slowestAlarms: AlarmBreakdown[];
  telemetry: { offeredPerS: number; acceptedPerS: number; sent: number; accepted: number; lost: number };
  alarms: { sent: number; dispatched: number; lost: number };
  messagesLost: number;
  gateway: {
    peakRssMiB: number | null;
    cpuPercentOfOneCore: number | null;
    /** The gateway's own histogram: device event → alert committed → dispatch published (a bucket bound). */
    eventHandlingP99Ms: number | null;
  };
  generator: {
    cpuPercentOfOneCore: number;
    eventLoopDelayP99Ms: number;
    maxScheduleLagMs: number;
    troubles: number;
  };
  target: { met: boolean; checks: TargetCheck[] };
}

export interface TargetCheck {
  what: string;
  target: string;
  actual: string;
  pass: boolean;
}

/** The load target: 2,000 bands at 1 msg/s each, alarm p99 ≤ 20 ms, nothing lost. */
export const TARGET = { devices: 2000, ratePerDevice: 1, alarmP99Ms: 20, lost: 0 } as const;

export function checkTarget(r: Omit<BenchResult, 'target'>): BenchResult['target'] {
  const offered = r.devices * r.ratePerDevice;
  const checks: TargetCheck[] = [
    {
      what: 'load',
      target: `≥ ${TARGET.devices} bands at ≥ ${TARGET.ratePerDevice} msg/s`,
      actual: `${r.devices} bands at ${r.ratePerDevice} msg/s`,
      pass: r.devices >= TARGET.devices && r.ratePerDevice >= TARGET.ratePerDevice,
    },
    {
      // The gateway keeps up: what it accepted per second is what was offered (1% for timing edges).
      what: 'telemetry accepted',
      target: `≥ 99% of ${offered} msg/s offered`,
      actual: `${r.telemetry.acceptedPerS.toFixed(0)} msg/s`,
      pass: r.telemetry.acceptedPerS >= offered * 0.99,
    },
    {
      what: 'alarm latency p99',
      target: `≤ ${TARGET.alarmP99Ms} ms`,
      actual: r.alarmLatencyMs.samples > 0 ? `${r.alarmLatencyMs.p99.toFixed(1)} ms` : 'no alarms measured',
      pass: r.alarmLatencyMs.samples > 0 && r.alarmLatencyMs.p99 <= TARGET.alarmP99Ms,
    },
    {
      what: 'messages lost',
      target: `${TARGET.lost}`,
      actual: `${r.messagesLost} (telemetry ${r.telemetry.lost}, alarms ${r.alarms.lost})`,
      pass: r.messagesLost <= TARGET.lost,
    },
  ];
  return { met: checks.every((c) => c.pass), checks };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const opt = (v: number | null, f: (v: number) => string) => (v === null ? 'n/a' : f(v));

export function formatTable(r: BenchResult): string {
  const rows: [string, string][] = [
    ['devices (wristbands)', String(r.devices)],
    ['rate per device', `${r.ratePerDevice} msg/s (offered ${r.devices * r.ratePerDevice} msg/s)`],
    ['duration', `${r.durationS} s measured after ${r.warmupS} s warm-up`],
    ['SOS', `${r.alarms.sent} sent (${r.sosPerMin}/min), ${r.alarms.dispatched} dispatched`],
    // Few alarms make p99 the slowest one or two: the sample count says how much to trust it.
    ['alarm latency samples', String(r.alarmLatencyMs.samples)],
    ['alarm latency p50', ms(r.alarmLatencyMs.p50)],
    ['alarm latency p99', ms(r.alarmLatencyMs.p99)],
    ['alarm latency max', ms(r.alarmLatencyMs.max)],
    [
      '  gateway event handling p99',
      opt(r.gateway.eventHandlingP99Ms, (v) => `≤ ${v} ms (its own histogram bucket)`),
    ],
    ['telemetry accepted', `${r.telemetry.acceptedPerS.toFixed(0)} msg/s`],
    ['telemetry sent / accepted', `${r.telemetry.sent} / ${r.telemetry.accepted}`],
    ['messages lost', `${r.messagesLost} (telemetry ${r.telemetry.lost}, alarms ${r.alarms.lost})`],
    ['gateway peak RSS', opt(r.gateway.peakRssMiB, (v) => `${v.toFixed(0)} MiB`)],
    ['gateway CPU', opt(r.gateway.cpuPercentOfOneCore, (v) => `${v.toFixed(0)}% of one core`)],
    [
      'load generator',
      `CPU ${r.generator.cpuPercentOfOneCore.toFixed(0)}% of one core, event-loop delay p99 ${ms(r.generator.eventLoopDelayP99Ms)}, ` +
        `max schedule lag ${ms(r.generator.maxScheduleLagMs)}, connection troubles ${r.generator.troubles}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  if (r.slowestAlarms.length > 0) {
    lines.push('', '  slowest alarms (band → alert raised → dispatch made → at handset, wall clock ms):');
    for (const b of r.slowestAlarms) {
      lines.push(
        `    #${b.alertId}: ${ms(b.totalMs)} = ${b.toAlertMs} + ${b.toDispatchMs} + ${b.toHandsetMs}`,
      );
    }
  }
  lines.push(
    '',
    `Target (2,000 bands at 1 msg/s, alarm p99 ≤ 20 ms, zero lost): ${r.target.met ? 'PASS' : 'MISS'}`,
  );
  for (const c of r.target.checks) {
    lines.push(`  ${c.pass ? 'PASS' : 'MISS'}  ${c.what.padEnd(20)} ${c.actual}  (target ${c.target})`);
  }
  return lines.join('\n');
}
