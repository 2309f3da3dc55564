/**
 * `npm run bench`: the gateway under load. Generates a bench site (N residents, each with a
 * wristband), starts the gateway as its own process on free ports, connects N simulated bands and
 * the staff handsets from this process, sends telemetry at R msg/s per band and random SOS for the
 * duration, and reports alarm latency, accepted throughput, losses and the gateway's memory and
 * CPU, with PASS/MISS against the target. `--json` prints the same as JSON on stdout.
 * `--scenario influx-outage` forwards into a real influxd that goes away for a while instead
 * (influx-outage.ts); `--scenario forwarded` runs the steady load with forwarding on and checks
 * that every accepted telemetry message reached InfluxDB once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedClosedAlerts } from '@careedge/gateway';
import { type Influxd, startInfluxd } from '@careedge/gateway/harness/influxd';
import { type PtyPair, ptyPair } from '@careedge/gateway/harness/pty-pair';
import { stringify } from 'yaml';
import { systemClock } from '../clock.js';
import { LoadGenerator } from '../load/generator.js';
import { SerialBaseStation } from '../serial/serial-base-station.js';
import { SerialWristband } from '../serial/serial-devices.js';
import type { SimSite } from '../site/sim-site.js';
import { benchSite, SERIAL_BASE_STATION } from './bench-site.js';
import { describeProfileDir } from './cpu-profile.js';
import { freePort, GatewayProcess } from './gateway-process.js';
import { forwardedFigures, forwardingConfig, runInfluxOutage } from './influx-outage.js';
import { parseOptions, USAGE } from './options.js';
import { formatOutage } from './outage-report.js';
import { Progress } from './progress.js';
import { histogramQuantileBound, parsePrometheus, sumOf } from './prometheus.js';
import { type BenchResult, checkTarget, formatTable, generatorReport } from './report.js';
import { decoderFigures, formatSerial, serialSosLatency } from './serial-bench.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ACCEPTED = [
  'careedge_ingest_messages_total',
  { channel: 'deviceTelemetry', result: 'accepted' },
] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `--rules`: a file, or `calls-only` (the calls and supervision without any anomaly rule). */
function rulesFileFor(rules: string, dir: string): string {
  if (rules !== 'calls-only') return resolve(rules);
  const file = join(dir, 'rules.calls-only.yaml');
  writeFileSync(
    file,
    'rules:\n  - id: calls\n    kind: instant\n    params: {}\n  - id: device-offline\n    kind: heartbeat-missed\n    params: {}\n',
  );
  return file;
}
const say = (msg: string) => process.stderr.write(`${msg}\n`);

const INFLUX_DATABASE = 'careedge';

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  let influxd: Influxd | undefined;
  if (o.scenario === 'influx-outage' || o.scenario === 'forwarded') {
    influxd = await startInfluxd(INFLUX_DATABASE);
    say(`influxd on ${influxd.url}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'careedge-bench-'));
  mkdirSync(join(dir, 'data'));
  // The serial scenario: a socat PTY pair, the gateway's serial port on one end.
  const pty = o.scenario === 'serial' ? await ptyPair() : undefined;
  const { yaml, site } = benchSite({ devices: o.devices, serialBands: pty ? SERIAL_BANDS : 0 });
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
      ...(influxd ? { forwarding: forwardingConfig(influxd, INFLUX_DATABASE) } : {}),
      ...(o.rules ? { rules: { file: rulesFileFor(o.rules, dir) } } : {}),
      ...(pty ? { serial: { ports: [{ path: pty.a, baseStation: SERIAL_BASE_STATION }] } } : {}),
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

    if (pty) return await runSerial({ load, site, pty, gateway, o });

    await load.startTelemetry();
    await sleep(o.warmupS * 1000);

    if (influxd && o.scenario === 'influx-outage') {
      await load.measure();
      const outage = await runInfluxOutage({ load, gateway, influxd, o });
      if (o.json) console.log(JSON.stringify(outage, null, 2));
      else console.log(`\nCareEdge bench: InfluxDB outage\n${formatOutage(outage)}`);
      return 0;
    }

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
    // Let in-flight messages land before counting what is missing. Beyond what the gateway takes,
    // bands keep what they made and send it as their window allows (IN_FLIGHT_WINDOW): in an
    // overload that takes a while, so a forwarded run waits up to its drain timeout.
    const catchingUp = new Progress('catchUp', Math.max(1, load.stats().telemetrySent));
    const catchUpMs = await load.drain(o.scenario === 'forwarded' ? o.drainTimeoutS * 1000 : 5000, (s) =>
      catchingUp.update(s.telemetryAcked + s.telemetryFailed),
    );
    catchingUp.stop();
    // A band has its PUBACK a moment before the gateway counts the message (telemetry is handled
    // in the check phase after the read, or the next one after an alarm), and a scrape can fall in
    // between: read again until the count covers what was sent, for up to a second.
    const stats = load.stats();
    let finalMetrics = parsePrometheus(await gateway.metrics());
    for (let i = 0; i < 20 && sumOf(finalMetrics, ...ACCEPTED) < stats.telemetrySent; i++) {
      await sleep(50);
      finalMetrics = parsePrometheus(await gateway.metrics());
    }
    const memory = gateway.memory();
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
        catchUpS: catchUpMs === null ? null : catchUpMs / 1000,
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
    if (influxd)
      partial.forwarding = await forwardedFigures(gateway, influxd, o.drainTimeoutS, acceptedTotal);
    const result: BenchResult = { ...partial, target: checkTarget(partial) };
    if (o.json) console.log(JSON.stringify(result, null, 2));
    else console.log(`\nCareEdge bench\n${formatTable(result)}`);
    return 0;
  } finally {
    await load.close().catch(() => undefined);
    await gateway.stop();
    await influxd?.close();
    await pty?.close();
    if (o.profileDir) for (const line of describeProfileDir(o.profileDir)) say(line);
    if (o.keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Wristbands behind the serial bench's base station; SOS go from each in turn. */
const SERIAL_BANDS = 10;

/** The serial scenario (serial-bench.ts), once the gateway is up and the handsets connected. */
async function runSerial(r: {
  load: LoadGenerator;
  site: SimSite;
  pty: PtyPair;
  gateway: GatewayProcess;
  o: ReturnType<typeof parseOptions>;
}): Promise<number> {
  const { load, site, pty, o } = r;
  say('serial: decoder frames/s (5 runs clean, 5 with 10 % noise)');
  const decoder = decoderFigures();
  const entry = site.devices.find((d) => d.id === SERIAL_BASE_STATION)!;
  const station = new SerialBaseStation({
    path: pty.b,
    baseStationId: entry.id,
    secret: entry.secret,
    clock: systemClock,
  });
  try {
    await station.start();
    const bands = site.devices
      .filter((d) => d.via === SERIAL_BASE_STATION)
      .map((d) => ({ band: new SerialWristband(d.id, station, systemClock), residentId: d.residentId! }));
    const phase = async (what: string) => {
      const bar = new Progress('serial', o.sosCount);
      const l = await serialSosLatency({
        load,
        bands,
        count: o.sosCount,
        what,
        onProgress: (n) => bar.update(n),
      });
      bar.stop();
      return l;
    };
    const idle = await phase('gateway idle');
    await load.startTelemetry();
    await sleep(o.warmupS * 1000);
    const loaded = await phase(`${o.devices} bands × ${o.rate} msg/s`);
    if (r.gateway.exited) throw new Error(`the gateway exited during the run:\n${r.gateway.logTail()}`);
    const result = { decoder, sosLatencyMs: [idle, loaded] };
    if (o.json) console.log(JSON.stringify(result, null, 2));
    else console.log(`\nCareEdge bench: serial link\n${formatSerial(result)}`);
    return 0;
  } finally {
    station.close();
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
