import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually, influxdForTest, SECRET } from '../helpers/forwarding.js';
import { secretOf } from '../helpers/gateway.js';
import { GatewayProcess, processConfig, scrapeMetric } from '../helpers/gateway-process.js';
import { TestClient } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

// Three gateway starts in their own processes: slower than the default test timeout allows on a busy machine.
describe('forwarding across kill -9 (gateway in its own process, real influxd)', { timeout: 90_000 }, () => {
  it('kill -9 right after the last PUBACK loses no point; the backlog drains after the restart, nothing lost or doubled', async () => {
    const influx = await influxdForTest();
    await influx.stop();
    const dir = makeTempDir('careedge-kill-');
    const { configFile, mqttPort, httpPort, logFile } = await processConfig(dir, {
      mqtt: { publishesPerSecond: 100_000, publishBurst: 100_000 },
      forwarding: {
        influx: { url: influx.url, version: 1, database: 'careedge' },
        residentKeySecret: SECRET,
        // Small batches, so the drain takes many writes and a kill can land in the middle of it.
        outbox: { retryMinMs: 20, retryMaxMs: 200, batchPoints: 100 },
      },
    });
    let gw = GatewayProcess.start({ configFile, httpPort, logFile });
    onTestFinished(() => gw.kill());
    await gw.waitHealthy();

    const band = await TestClient.connect(mqttPort, 'testsite', 'wb-1', secretOf('wb-1'));
    const ts = Date.now() - 3_600_000;
    const POINTS = 3_000;
    await Promise.all(
      Array.from({ length: POINTS }, (_, seq) =>
        band.send(
          'deviceTelemetry',
          { activity: seq % 100, worn: true, batteryPct: 90, rssiDbm: -50 },
          { seq, ts: ts + seq },
        ),
      ),
    );
    // Every PUBACK is in, and a PUBACK means the point is in the outbox file: kill -9 at once.
    await gw.kill();
    await band.close();

    await influx.start();
    gw = GatewayProcess.start({ configFile, httpPort, logFile });
    await gw.waitHealthy();
    // kill -9 again while it drains: chunks written but not yet deleted are sent again, and overwrite.
    await eventually(
      async () => expect(await influx.count('wristband_vitals', 'activity')).toBeGreaterThan(0),
      20_000,
    );
    await gw.kill();
    gw = GatewayProcess.start({ configFile, httpPort, logFile });
    await gw.waitHealthy();
    await eventually(async () => {
      expect(await scrapeMetric(httpPort, 'careedge_forward_outbox_points')).toBe(0);
      expect(await influx.count('wristband_vitals', 'activity')).toBe(POINTS);
    });
    const [span] = await influx.query(
      'SELECT count(activity), min(activity), max(activity) FROM wristband_vitals',
    );
    expect(span).toMatchObject({ count: POINTS, min: 0, max: 99 });
  });
});
