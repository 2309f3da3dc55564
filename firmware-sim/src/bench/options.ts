/** The bench's options: parsed and checked here, apart from main.ts, so a test can try them. */
import { parseArgs } from 'node:util';
import type { GeneratorKind } from '../load/telemetry-pump.js';

export const USAGE = `Usage: npm run bench -- [options]

  --scenario S             steady (default): the alarm path under steady load; influx-outage: the
                           same load forwarded into a real influxd that is stopped for the middle
                           third of the run and started again; reports points sent, in InfluxDB,
                           duplicates, the outbox's peak and drain rate, and alarm latency during
                           the outage (needs influxd on the PATH)
                           forwarded: the steady load with forwarding on into a live influxd; also
                           checks that every telemetry message accepted is in InfluxDB, once
                           serial: the serial link: frames/s the decoder sustains (median of 5
                           runs, clean and with 10 % noise), and SOS latency through a serial base
                           station on a socat PTY pair (needs socat), the gateway idle, then under
                           the telemetry load of --devices and --rate
  --sos-count N            serial: SOS timed in each phase (default 50)
  --drain-timeout S        influx-outage, forwarded: longest wait for the outbox to empty after the load (default 120)
  --devices N              simulated wristbands, one resident each (default 2000)
  --rate R                 telemetry messages per second per band (default 1)
  --duration S             seconds of load after the warm-up (default 60)
  --sos-per-min K          SOS presses per minute, random bands (default 300: ~300 alarm samples a run, enough for a p99)
  --warmup S               seconds of load before measuring (default 5)
  --connect-concurrency C  bands connecting at once (default 100)
  --workers W              worker threads sending telemetry (default: one per 4,000 msg/s offered,
                           at most 4; 0 = all in the main thread). Handsets and the bands that
                           press SOS stay in the main thread, apart from the load.
  --generator G            how the workers' bands send: lean (default: raw MQTT, light enough to
                           leave the gateway its core) or mqttjs (the simulated wristband), to compare
  --json                   print the result as JSON on stdout
  --gateway-profile DIR    write a V8 CPU profile of the gateway into DIR
  --gateway-flags="F"      more node flags for the gateway, after its own (core/node-flags.ts),
                           e.g. --gateway-flags=--trace-gc, or "--max-semi-space-size=1
                           --heap-growing-percent=15" (a smaller heap, see node-flags.ts)
  --rules FILE             the gateway's rules file (default: its own, gateway/rules.example.yaml:
                           calls, supervision and every anomaly rule); calls-only: just the calls
                           and supervision, to compare what the anomaly rules cost
  --history N              seed the database with N closed alerts over the past 3 years (default 0)
  --keep                   keep the temporary site, config and database

Targets: 2,000 bands at 1 msg/s: alarm p99 <= 20 ms; 5,000 at 1 msg/s: p99 <= 5 ms and gateway
peak RSS <= 200 MiB; 5,000 at 4 msg/s: p99 <= 20 ms; zero messages lost in each. Forwarded at
40,000 msg/s offered (overload): nothing lost, the bands catch up after the load, p99 <= 20 ms. A run whose
generator could not keep up says so (generator.lagged) instead of passing or missing.
influx-outage: every point the gateway queued is in InfluxDB, none twice, and the outbox drains at
≥ 50,000 points/s once InfluxDB is back.`;

export const SCENARIOS = ['steady', 'influx-outage', 'forwarded', 'serial'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export type BenchOptions = ReturnType<typeof parseOptions>;

/** The bench's command line; `help` asks for USAGE. Throws a message naming the bad option. */
export function parseOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: 'string', default: 'steady' },
      'drain-timeout': { type: 'string', default: '120' },
      devices: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '1' },
      duration: { type: 'string', default: '60' },
      'sos-per-min': { type: 'string', default: '300' },
      'sos-count': { type: 'string', default: '50' },
      warmup: { type: 'string', default: '5' },
      'connect-concurrency': { type: 'string', default: '100' },
      workers: { type: 'string' },
      generator: { type: 'string', default: 'lean' },
      json: { type: 'boolean', default: false },
      /** Write a V8 CPU profile of the gateway into this folder (node --cpu-prof). */
      'gateway-profile': { type: 'string' },
      'gateway-flags': { type: 'string' },
      /** Closed alerts written into the database before the gateway starts: years of history. */
      history: { type: 'string', default: '0' },
      rules: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const num = (name: keyof typeof values, min: number) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min)
      throw new Error(`--${name} must be a number ≥ ${min} (got ${values[name]})`);
    return v;
  };
  return {
    help: values.help === true,
    scenario: scenario(values.scenario),
    drainTimeoutS: num('drain-timeout', 1),
    devices: Math.floor(num('devices', 1)),
    rate: num('rate', 0),
    durationS: num('duration', 1),
    sosPerMin: num('sos-per-min', 0),
    sosCount: Math.floor(num('sos-count', 1)),
    warmupS: num('warmup', 0),
    connectConcurrency: Math.floor(num('connect-concurrency', 1)),
    workers:
      values.workers === undefined
        ? Math.min(4, Math.ceil((num('devices', 1) * num('rate', 0)) / 4000))
        : Math.floor(num('workers', 0)),
    generator: generatorKind(values.generator),
    json: values.json === true,
    profileDir: values['gateway-profile'],
    gatewayFlags: (values['gateway-flags'] ?? '').split(' ').filter((f) => f !== ''),
    history: Math.floor(num('history', 0)),
    rules: values.rules,
    keep: values.keep === true,
  };
}

function scenario(value: string | undefined): Scenario {
  const found = SCENARIOS.find((s) => s === value);
  if (found) return found;
  throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')} (got ${value})`);
}

function generatorKind(value: string | undefined): GeneratorKind {
  if (value === 'lean' || value === 'mqttjs') return value;
  throw new Error(`--generator must be lean or mqttjs (got ${value})`);
}
