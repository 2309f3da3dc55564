import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_SITE, loadConfig, type RunningGateway, silentLogger, startGateway } from '@careedge/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wristband } from '../../src/devices/wristband.js';
import { runScenario } from '../../src/scenario/runner.js';
import { parseScenario } from '../../src/scenario/scenario.js';
import { loadSimSite } from '../../src/site/sim-site.js';

/** The simulated devices and handsets over MQTT over TLS, trusting the gateway's own certificate. */
describe('the simulator over mqtts://', () => {
  let gateway: RunningGateway;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'careedge-sim-tls-'));
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile: EXAMPLE_SITE,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: true, host: '127.0.0.1', port: 0 } },
        http: { host: '127.0.0.1', port: 0 },
      },
    });
    gateway = await startGateway({ config, logger: silentLogger() });
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('plays an SOS to its close with the CA file of the gateway', async () => {
    const scenario = parseScenario({
      name: 'tls',
      timeout: '15s',
      otherHandsets: {
        mode: 'accept',
        ackAfter: '100ms',
        arriveAfter: '100ms',
        resolveAfter: '100ms',
        outcome: 'assisted',
      },
      steps: [{ at: '100ms', device: 'wb-101', do: 'sos' }],
    });
    const report = await runScenario({
      scenario,
      site: loadSimSite(EXAMPLE_SITE),
      url: `mqtts://127.0.0.1:${gateway.mqttTlsPort}`,
      caFile: gateway.tls!.certFile,
      heartbeatS: false,
      settleMs: 200,
    });
    expect(report.summary).toMatchObject({ alertsRaised: 1, resolved: 1, allClosed: true, timedOut: false });
    expect(report.alerts[0]).toMatchObject({ kind: 'sos', outcome: 'assisted' });
  });

  it('a device without the CA file does not trust the gateway', async () => {
    const site = loadSimSite(EXAMPLE_SITE);
    const band = site.devices.find((d) => d.id === 'wb-101')!;
    const device = new Wristband({
      url: `mqtts://127.0.0.1:${gateway.mqttTlsPort}`,
      siteId: site.id,
      id: band.id,
      secret: band.secret,
      heartbeatS: false,
    });
    await expect(device.connect()).rejects.toThrow(/wb-101: cannot connect to mqtts:.*self.signed/i);
  });
});
