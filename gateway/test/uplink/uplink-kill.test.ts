import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually, keys, SECRET } from '../helpers/forwarding.js';
import { secretOf } from '../helpers/gateway.js';
import { GatewayProcess, processConfig } from '../helpers/gateway-process.js';
import { TestClient } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';
import { headOffice, mosquittoForTest } from '../helpers/uplink.js';

// Two gateway starts in their own processes: slower than the default test timeout allows on a busy machine.
describe('uplink across kill -9 (gateway in its own process, real mosquitto)', { timeout: 90_000 }, () => {
  it('alert changes queued while the head office was down survive kill -9 and arrive after the restart', async () => {
    const m = await mosquittoForTest();
    const office = await headOffice(m.url);
    await m.stop();
    const dir = makeTempDir('careedge-uplink-kill-');
    const { configFile, mqttPort, httpPort, logFile } = await processConfig(dir, {
      forwarding: { residentKeySecret: SECRET },
      uplink: { url: m.url, retryMinMs: 20, retryMaxMs: 200 },
    });
    let gw = GatewayProcess.start({ configFile, httpPort, logFile });
    onTestFinished(() => gw.kill());
    await gw.waitHealthy();

    const bands = ['wb-1', 'wb-2', 'wb-3'];
    for (const id of bands) {
      const band = await TestClient.connect(mqttPort, 'testsite', id, secretOf(id));
      await band.send('deviceEvent', { type: 'sos' });
      await band.close();
    }
    // Raised and dispatched, three times: committed to the queue, nothing published.
    await eventually(async () =>
      expect(await gw.metric('careedge_uplink_queue_messages')).toBeGreaterThanOrEqual(6),
    );
    await gw.kill();

    await m.start();
    gw = GatewayProcess.start({ configFile, httpPort, logFile });
    await gw.waitHealthy();
    await eventually(async () => {
      expect(await gw.metric('careedge_uplink_queue_messages')).toBe(0);
      const residents = new Set(
        office.received.filter((r) => r.body.action === 'raised').map((r) => r.body.resident),
      );
      expect(residents).toEqual(new Set(['r1', 'r2', 'r3'].map((r) => keys.key('resident', r))));
    });
    const seqs = [...new Set(office.received.map((r) => r.body.seq))].sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // no gap: nothing dropped on the way
    expect(office.received.filter((r) => r.body.action === 'dispatched')).toHaveLength(3);
  });
});
