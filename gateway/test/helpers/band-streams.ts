import { readFileSync } from 'node:fs';
import { expect, onTestFinished } from 'vitest';
import type { Influxd } from '../../harness/influxd.js';
import { eventually, influxdForTest, keys, SECRET } from './forwarding.js';
import { secretOf } from './gateway.js';
import { GatewayProcess, processConfig, scrapeMetric } from './gateway-process.js';
import { TestClient } from './mqtt-client.js';
import { makeTempDir } from './tmp.js';

const BANDS = { 'wb-1': 'r1', 'wb-2': 'r2', 'wb-3': 'r3' } as const;

/**
 * The three wristbands of the test site, each keeping 20 readings and a heartbeat in flight, and
 * noting the time of every reading whose PUBACK it received. `halt(end)` waits for 1,500 of them,
 * then runs `end` (a kill, a stop) under them and closes them.
 */
export async function streamingBands(mqttPort: number) {
  const base = Date.now() - 3_600_000;
  const acked = new Map<string, number[]>(Object.keys(BANDS).map((b) => [b, []]));
  let halted = false;
  const ackedAt = new Map<number, number>();
  let endAt = 0;
  const bands = await Promise.all(
    Object.keys(BANDS).map((id) => TestClient.connect(mqttPort, 'testsite', id, secretOf(id))),
  );
  for (const band of bands) band.client.on('error', () => {}); // the gateway goes under them
  const stream = async (band: TestClient, b: number) => {
    for (let round = 0; !halted; round++) {
      const sent: Promise<unknown>[] = Array.from({ length: 20 }, (_, i) => {
        const ts = base + b * 1_000_000 + round * 20 + i;
        return band
          .send('deviceTelemetry', { activity: i, worn: true, batteryPct: 90, rssiDbm: -50 }, { ts })
          .then(() => {
            acked.get(band.id)!.push(ts);
            ackedAt.set(ts, Date.now());
          });
      });
      sent.push(band.send('deviceHeartbeat', { intervalS: 60 }));
      await Promise.all(sent).catch(() => {});
    }
  };
  const streams = bands.map((band, b) => stream(band, b));
  return {
    async halt(end: () => Promise<void>) {
      await eventually(async () => expect([...acked.values()].flat().length).toBeGreaterThan(1500));
      endAt = Date.now();
      await end();
      halted = true;
      await Promise.all(bands.map((b) => b.client.endAsync(true)));
      await Promise.all(streams);
    },
    /**
     * Every acknowledged reading is in InfluxDB, found by its resident and time. Waited for: a
     * restarted gateway's outbox gauge reads 0 until its worker first reports, so "the outbox is
     * empty" can be seen before the backlog was even counted (a busy machine showed it).
     */
    async expectAllAckedIn(influx: Influxd) {
      for (const [id, resident] of Object.entries(BANDS)) {
        const all = acked.get(id)!;
        expect(all.length).toBeGreaterThan(0);
        let lost: number[] = [];
        let stored = new Set<number>();
        try {
          await eventually(async () => {
            const rows = await influx.query(
              `SELECT activity FROM wristband_vitals WHERE resident = '${keys.key('resident', resident)}'`,
            );
            stored = new Set(rows.map((r) => Date.parse(r.time as string)));
            lost = all.filter((ts) => !stored.has(ts));
            expect(lost, `${id}: acknowledged but not in InfluxDB`).toEqual([]);
          });
        } catch (err) {
          // Where in the stream the lost ones were and how long before the stop they were
          // acknowledged: tells a lost tail (the stop) from a lost middle (a hand-over).
          const where = {
            acknowledged: all.length,
            stored: stored.size,
            lostIndexes: [all.indexOf(lost[0]!), all.indexOf(lost.at(-1)!)],
            lostAcknowledgedMsBeforeStop: [
              endAt - ackedAt.get(lost[0]!)!,
              endAt - ackedAt.get(lost.at(-1)!)!,
            ],
            lastAcknowledgedMsBeforeStop: endAt - ackedAt.get(all.at(-1)!)!,
          };
          throw new Error(`${(err as Error).message}\n${JSON.stringify(where)}`);
        }
      }
    },
  };
}

/**
 * A gateway in its own process forwarding to a real influxd, three bands streaming into it,
 * `stop` (kill -9, SIGTERM) under them, a restart: every reading a band had its PUBACK for must
 * then be in InfluxDB.
 */
export async function ackedReadingsSurvive(stop: (gw: GatewayProcess) => Promise<void>): Promise<void> {
  const influx = await influxdForTest();
  const { configFile, mqttPort, httpPort, logFile } = await processConfig(makeTempDir('careedge-streams-'), {
    mqtt: { publishesPerSecond: 100_000, publishBurst: 100_000 },
    forwarding: {
      influx: { url: influx.url, version: 1, database: 'careedge' },
      residentKeySecret: SECRET,
      outbox: { retryMinMs: 20, retryMaxMs: 200 },
    },
  });
  let gw = GatewayProcess.start({ configFile, httpPort, logFile });
  onTestFinished(() => gw.kill());
  await gw.waitHealthy();

  const bands = await streamingBands(mqttPort);
  const stopped = gw;
  let before = '';
  await bands.halt(async () => {
    before = await forwardingMetrics(httpPort);
    await stop(stopped);
  });

  gw = GatewayProcess.start({ configFile, httpPort, logFile });
  await gw.waitHealthy();
  await eventually(async () =>
    expect(await scrapeMetric(httpPort, 'careedge_forward_outbox_points')).toBe(0),
  );
  try {
    await bands.expectAllAckedIn(influx);
  } catch (err) {
    // Seen once under a full suite on a loaded machine (100 readings of one band acknowledged and
    // not in InfluxDB after a SIGTERM), never alone: the gateways' warnings say which path took them.
    const log = readFileSync(logFile, 'utf8').slice(-6000);
    throw new Error(
      [
        (err as Error).message,
        "--- the first gateway's forwarding metrics just before it was stopped ---",
        before,
        "--- the second gateway's ---",
        await forwardingMetrics(httpPort).catch((e: Error) => e.message),
        "--- both gateways' log (warn and above), last 6 KB ---",
        log,
      ].join('\n'),
    );
  }
}

/** The forwarding, ingest and broker lines of a gateway's /metrics: what a failure report needs. */
async function forwardingMetrics(httpPort: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => /^careedge_(forward|ingest_messages|mqtt)/.test(l))
    .join('\n');
}
