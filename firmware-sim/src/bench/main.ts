/**
 * `npm run bench`: the gateway under load. Generates a bench site (N residents, each with a
 * wristband), starts the gateway as its own process on free ports, connects N simulated bands and
 * the staff handsets from this process, sends telemetry at R msg/s per band and random SOS for the
 * duration, and reports alarm latency, accepted throughput, losses and the gateway's memory and
 * CPU, with PASS/MISS against the target. `--json` prints the same as JSON on stdout.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedClosedAlerts } from '@careedge/gateway';
import { stringify } from 'yaml';
import { LoadGenerator } from '../load/generator.js';
import type { GeneratorKind } from '../load/telemetry-pump.js';
import { benchSite } from './bench-site.js';
import { describeProfileDir } from './cpu-profile.js';
import { freePort, GatewayProcess } from './gateway-process.js';
import { Progress } from './progress.js';
import { histogramQuantileBound, parsePrometheus, sumOf } from './prometheus.js';
import { type BenchResult, checkTarget, formatTable, generatorReport } from './report.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ACCEPTED = [
  'careedge_ingest_messages_total',
  { channel: 'deviceTelemetry', result: 'accepted' },
] as const;

const USAGE = `Usage: npm run bench -- [options]

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
  --history N              seed the database with N closed alerts over the past 3 years (default 0)
  --keep                   keep the temporary site, config and database

Targets: 2,000 bands at 1 msg/s: alarm p99 <= 20 ms; 5,000 at 1 msg/s: p99 <= 5 ms and gateway
peak RSS <= 200 MiB; 5,000 at 4 msg/s: p99 <= 20 ms; zero messages lost in each. A run whose
generator could not keep up says so (generator.lagged) instead of passing or missing.`;

function options() {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '1' },
      duration: { type: 'string', default: '60' },
      'sos-per-min': { type: 'string', default: '300' },
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
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: keyof typeof values, min: number) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min)
      throw new Error(`--${name} must be a number ≥ ${min} (got ${values[name]})`);
    return v;
  };
  return {
    devices: Math.floor(num('devices', 1)),
    rate: num('rate', 0),
    durationS: num('duration', 1),
    sosPerMin: num('sos-per-min', 0),
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
    keep: values.keep === true,
  };
}

function generatorKind(value: string | undefined): GeneratorKind {
  if (value === 'lean' || value === 'mqttjs') return value;
  throw new Error(`--generator must be lean or mqttjs (got ${value})`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (msg: string) => process.stderr.write(`${msg}\n`);

async function main(): Promise<number> {
  const o = options();
  const dir = mkdtempSync(join(tmpdir(), 'careedge-bench-'));
  mkdirSync(join(dir, 'data'));
  const { yaml, site } = benchSite({ devices: o.devices });
  writeFileSync(join(dir, 'site.yaml'), yaml);
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    stringify({
      siteFile: join(dir, 'site.yaml'),
      dataDir: join(dir, 'data'),
      mqtt: { host: '127.0.0.1', port: mqttPort },
      http: { host: '127.0.0.1', port: httpPort },
      log: { level: 'warn' },
      // The seeded history stays in the live table for the whole run: the bench measures the
      // alarm path on years of history (as right after an upgrade), not the archive's cleanup.
      ...(o.history > 0 ? { alerts: { archiveAfterDays: 36_500 } } : {}),
    }),
  );

  if (o.history > 0) {
    const started = Date.now();
    seedClosedAlerts(join(dir, 'data', 'careedge.sqlite'), {
      count: o.history,
      places: site.devices.map((d) => {
        const residentId = d.residentId ?? '';
        const roomId = site.residents.get(residentId)?.room ?? '';
        return { deviceId: d.id, residentId, roomId, zoneId: site.rooms.get(roomId)?.zone ?? '' };
      }),
      now: Date.now(),
    });
    say(`bench: seeded ${o.history} closed alerts of history in ${Date.now() - started} ms`);
  }
  say(
    `bench: ${o.devices} bands × ${o.rate} msg/s for ${o.durationS} s (+${o.warmupS} s warm-up), ${o.sosPerMin} SOS/min, ${o.generator} generator; files in ${dir}`,
  );
  const gateway = GatewayProcess.start({
    root: ROOT,
    configFile,
    httpPort,
    logFile: join(dir, 'gateway.log'),
    nodeFlags: [...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []), ...o.gatewayFlags],
  });
  const load = new LoadGenerator({
    url: `mqtt://127.0.0.1:${mqttPort}`,
    site,
    ratePerDevice: o.rate,
    sosPerMin: o.sosPerMin,
    connectConcurrency: o.connectConcurrency,
    workers: o.workers,
    generator: o.generator,
  });
  try {
    await gateway.waitHealthy();
    say(`gateway pid ${gateway.pid} healthy (MQTT ${mqttPort}, HTTP ${httpPort})`);

    const connecting = new Progress('connecting', site.devices.length + site.staff.length);
    await load.connect((done) => connecting.update(done));
    connecting.stop();

    await load.startTelemetry();
    await sleep(o.warmupS * 1000);

    const acceptedAtStart = sumOf(parsePrometheus(await gateway.metrics()), ...ACCEPTED);
    const gwCpuStart = gateway.cpuSeconds();
    const ownCpuStart = process.cpuUsage();
    await load.measure();
    load.startSos();
    await runWithProgress(load, gateway, o.durationS);

    const windowMetrics = parsePrometheus(await gateway.metrics());
    const acceptedInWindow = sumOf(windowMetrics, ...ACCEPTED) - acceptedAtStart;
    const gwCpuEnd = gateway.cpuSeconds();
    const ownCpu = process.cpuUsage(ownCpuStart);
    const threads = (await load.refresh()).threads;
    await load.stop();
    // Let in-flight messages land before counting what is missing.
    await load.drain(5000);
    const finalMetrics = parsePrometheus(await gateway.metrics());
    const memory = gateway.memory();
    const stats = load.stats();
    const acceptedTotal = sumOf(finalMetrics, ...ACCEPTED);
    const internalP99 = histogramQuantileBound(finalMetrics, 'careedge_event_processing_seconds', 0.99);

    const partial: Omit<BenchResult, 'target'> = {
      devices: o.devices,
      ratePerDevice: o.rate,
      durationS: o.durationS,
      warmupS: o.warmupS,
      sosPerMin: o.sosPerMin,
      alarmLatencyMs: {
        samples: load.latency.histogram.totalCount,
        p50: load.latency.percentileMs(50),
        p99: load.latency.percentileMs(99),
        max: load.latency.maxMs,
      },
      slowestAlarms: load.latency.slowest,
      telemetry: {
        offeredPerS: o.devices * o.rate,
        acceptedPerS: acceptedInWindow / o.durationS,
        sent: stats.telemetrySent,
        accepted: acceptedTotal,
        lost: Math.max(0, stats.telemetrySent - acceptedTotal),
        failedAtBand: stats.telemetryFailed,
        notAccepted: Object.fromEntries(
          finalMetrics
            .filter(
              (m) =>
                m.name === ACCEPTED[0] &&
                m.labels.channel === ACCEPTED[1].channel &&
                m.labels.result !== ACCEPTED[1].result,
            )
            .map((m) => [m.labels.result ?? '?', m.value]),
        ),
      },
      alarms: { sent: stats.sosSent, dispatched: stats.alarmsMatched, lost: stats.alarmsWaiting },
      messagesLost: Math.max(0, stats.telemetrySent - acceptedTotal) + stats.alarmsWaiting,
      gateway: {
        peakRssMiB: memory?.peakMiB ?? null,
        cpuPercentOfOneCore:
          gwCpuStart !== undefined && gwCpuEnd !== undefined
            ? ((gwCpuEnd - gwCpuStart) / o.durationS) * 100
            : null,
        eventHandlingP99Ms: internalP99 === undefined ? null : internalP99 * 1000,
        // prom-client resets its loop-delay histogram at every scrape: this is the measured window.
        // Its samples include the 10 ms timer resolution, taken off again here.
        eventLoopDelayP99Ms: Math.max(
          0,
          sumOf(windowMetrics, 'careedge_nodejs_eventloop_lag_p99_seconds') * 1000 - 10,
        ),
        eventLoopDelayMaxMs: Math.max(
          0,
          sumOf(windowMetrics, 'careedge_nodejs_eventloop_lag_max_seconds') * 1000 - 10,
        ),
      },
      generator: generatorReport(
        threads,
        ((ownCpu.user + ownCpu.system) / 1e6 / o.durationS) * 100,
        stats.troubles,
        load.latency.percentileMs(99),
      ),
    };
    const result: BenchResult = { ...partial, target: checkTarget(partial) };
    if (o.json) console.log(JSON.stringify(result, null, 2));
    else console.log(`\nCareEdge bench\n${formatTable(result)}`);
    return 0;
  } finally {
    await load.close().catch(() => undefined);
    await gateway.stop();
    if (o.profileDir) for (const line of describeProfileDir(o.profileDir)) say(line);
    if (o.keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The measured run, with a progress bar on stderr: elapsed, sent, SOS, current msg/s, gateway memory. */
async function runWithProgress(
  load: LoadGenerator,
  gateway: GatewayProcess,
  durationS: number,
): Promise<void> {
  const bar = new Progress('running', durationS);
  const started = Date.now();
  let last = { at: started, sent: load.stats().telemetrySent };
  let rate = 0;
  while (Date.now() - started < durationS * 1000) {
    await sleep(Math.min(250, durationS * 1000 - (Date.now() - started)));
    if (gateway.exited) throw new Error(`the gateway exited during the run:\n${gateway.logTail()}`);
    const s = await load.refresh();
    const now = Date.now();
    if (now - last.at >= 1000) {
      rate = ((s.telemetrySent - last.sent) * 1000) / (now - last.at);
      last = { at: now, sent: s.telemetrySent };
    }
    bar.update(Math.min(durationS, Math.round((now - started) / 1000)), {
      sent: s.telemetrySent,
      sos: s.sosSent,
      rate: rate.toFixed(0),
      rss: gateway.memory()?.rssMiB.toFixed(0) ?? '?',
    });
  }
  bar.stop();
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exit(2);
  },
);
