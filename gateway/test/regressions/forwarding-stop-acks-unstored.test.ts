/**
 * found by probing: a gateway stopped gracefully (SIGTERM) while bands were sending acknowledged
 * readings that were never stored: forwarding stops before the broker closes, and it turned the
 * PUBACK hold off, so telemetry read in between was acknowledged at once while forwarding no
 * longer made points of it (60 readings of one band, in InfluxDB none). A kill -9 lost none.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { streamingBands } from '../helpers/band-streams.js';
import { eventually, influxdForTest, SECRET } from '../helpers/forwarding.js';
import { GatewayProcess, processConfig, scrapeMetric } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/tmp.js';

// Two gateway starts in their own processes: slower than the default test timeout allows on a busy machine.
describe('found by probing: a graceful stop while bands are sending', { timeout: 90_000 }, () => {
  it('no band gets a PUBACK for a reading forwarding no longer stores', async () => {
    const influx = await influxdForTest();
    const dir = makeTempDir('careedge-sigterm-');
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

    const bands = await streamingBands(mqttPort);
    await bands.halt(() => gw.terminate()); // SIGTERM, as systemd stops it

    gw = GatewayProcess.start({ configFile, httpPort, logFile });
    await gw.waitHealthy();
    await eventually(async () =>
      expect(await scrapeMetric(httpPort, 'careedge_forward_outbox_points')).toBe(0),
    );
    await bands.expectAllAckedIn(influx);
  });
});
