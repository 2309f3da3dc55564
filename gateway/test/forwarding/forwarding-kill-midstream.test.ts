import { describe, expect, it, onTestFinished } from 'vitest';
import { streamingBands } from '../helpers/band-streams.js';
import { eventually, influxdForTest, SECRET } from '../helpers/forwarding.js';
import { GatewayProcess, processConfig, scrapeMetric } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/tmp.js';

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

    const bands = await streamingBands(mqttPort);
    await bands.halt(() => gw.kill());

    gw = GatewayProcess.start({ configFile, httpPort, logFile });
    await gw.waitHealthy();
    await eventually(async () =>
      expect(await scrapeMetric(httpPort, 'careedge_forward_outbox_points')).toBe(0),
    );
    await bands.expectAllAckedIn(influx);
  });
});
