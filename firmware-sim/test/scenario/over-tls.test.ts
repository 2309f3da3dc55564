import { EXAMPLE_SITE } from '@careedge/gateway';
import { describe, expect, it } from 'vitest';
import { Wristband } from '../../src/devices/wristband.js';
import { runScenario } from '../../src/scenario/runner.js';
import { loadSimSite } from '../../src/site/sim-site.js';
import { exampleGatewayForFile, sosToClose } from '../helpers/example-gateway.js';

/** The simulated devices and handsets over MQTT over TLS, trusting the gateway's own certificate. */
describe('the simulator over mqtts://', () => {
  const gw = exampleGatewayForFile({ tls: { enabled: true, host: '127.0.0.1', port: 0 } });

  it('plays an SOS to its close with the CA file of the gateway', async () => {
    const gateway = gw.current();
    const scenario = sosToClose('tls');
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
    const gateway = gw.current();
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
