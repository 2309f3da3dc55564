import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually, influxdForTest, keys, SECRET } from '../helpers/forwarding.js';
import { secretOf } from '../helpers/gateway.js';
import { GatewayProcess, processConfig, scrapeMetric } from '../helpers/gateway-process.js';
import { TestClient } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

const BANDS = ['wb-1', 'wb-2', 'wb-3'] as const;
const RESIDENT = { 'wb-1': 'r1', 'wb-2': 'r2', 'wb-3': 'r3' } as const;

// Two gateway starts in their own processes: slower than the default test timeout allows on a busy machine.
describe('forwarding across kill -9 in mid-stream (gateway in its own process, real influxd)', {
  timeout: 90_000,
}, () => {
  it('every reading a band had its PUBACK for is in InfluxDB after the restart, with three bands and heartbeats still sending', async () => {
    const influx = await influxdForTest();
    const dir = makeTempDir('careedge-kill-mid-');
    const { configFile, mqttPort, httpPort, logFile } = await processConfig(dir, {
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

    const base = Date.now() - 3_600_000;
    /** Reading times (ms) whose PUBACK each band received. */
    const acked = new Map<string, number[]>(BANDS.map((b) => [b, []]));
    let killed = false;
    const bands = await Promise.all(
      BANDS.map((id) => TestClient.connect(mqttPort, 'testsite', id, secretOf(id))),
    );
    for (const band of bands) band.client.on('error', () => {}); // the kill
    // Each band keeps 20 readings and a heartbeat in flight until the gateway is killed under it.
    const stream = async (band: TestClient, b: number) => {
      for (let round = 0; !killed; round++) {
        const sent: Promise<unknown>[] = Array.from({ length: 20 }, (_, i) => {
          const ts = base + b * 1_000_000 + round * 20 + i;
          return band
            .send('deviceTelemetry', { activity: i, worn: true, batteryPct: 90, rssiDbm: -50 }, { ts })
            .then(() => acked.get(band.id)!.push(ts));
        });
        sent.push(band.send('deviceHeartbeat', { intervalS: 60 }));
        await Promise.all(sent).catch(() => {});
      }
    };
    const streams = bands.map((band, b) => stream(band, b));
    await eventually(async () => expect([...acked.values()].flat().length).toBeGreaterThan(1500));
    await gw.kill();
    killed = true;
    await Promise.all(bands.map((b) => b.client.endAsync(true)));
    await Promise.all(streams);

    gw = GatewayProcess.start({ configFile, httpPort, logFile });
    await gw.waitHealthy();
    await eventually(async () =>
      expect(await scrapeMetric(httpPort, 'careedge_forward_outbox_points')).toBe(0),
    );
    for (const id of BANDS) {
      const rows = await influx.query(
        `SELECT activity FROM wristband_vitals WHERE resident = '${keys.key('resident', RESIDENT[id])}'`,
      );
      const stored = new Set(rows.map((r) => Date.parse(r.time as string)));
      const lost = acked.get(id)!.filter((ts) => !stored.has(ts));
      expect(lost, `${id}: acknowledged but not in InfluxDB`).toEqual([]);
      expect(acked.get(id)!.length).toBeGreaterThan(0);
    }
  });
});
