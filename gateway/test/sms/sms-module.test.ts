import { GsmModemSim } from '@careedge/firmware-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type DeepPartial, loadConfig } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const healthz = async (g: TestGateway) =>
  (await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).json()) as {
    status: string;
    warnings?: { warning: string; reason: string }[];
  };

/** Polls (real time) until `ok()`; each round moves the gateway's fake clock by `tickMs`. */
async function eventually(g: TestGateway, ok: () => Promise<boolean>, what: string, tickMs = 0) {
  const deadline = Date.now() + 5000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (tickMs > 0) await g.tick(tickMs);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the SMS module in the gateway', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const start = async (sms: DeepPartial<GatewayConfig['sms']>) => {
    const g = await testGateway({
      sms: { enabled: true, reconnectMinMs: 500, reconnectMaxMs: 2000, ...sms },
    });
    cleanups.push(() => g.stop());
    return g;
  };
  const ready = (g: TestGateway) => g.metric('careedge_sms_modem_ready');

  it('opens and sets up the modem, and reports it on /healthz and the metrics as it comes and goes', async () => {
    const sim = await GsmModemSim.start();
    cleanups.push(() => sim.close());
    const g = await start({ port: sim.path });
    await eventually(g, async () => (await ready(g)) === 1, 'the modem to be ready');
    expect(sim.received).toEqual(['AT', 'ATE0', 'AT+CMGF=1', 'AT+CSCS="GSM"']);
    expect((await healthz(g)).warnings).toBeUndefined();

    await sim.unplug();
    await eventually(g, async () => (await ready(g)) === 0, 'the loss', 1000);
    const h = await healthz(g);
    expect(h.status).toBe('ok'); // a warning: the gateway is not degraded by its modem
    expect(h.warnings).toEqual([
      { warning: 'sms', reason: expect.stringContaining('SMS cannot be sent'), since: expect.any(Number) },
    ]);

    await sim.plug();
    await eventually(g, async () => (await ready(g)) === 1, 'the modem back', 1000);
    expect((await healthz(g)).warnings).toBeUndefined();
  });

  it('runs the alarm path with a modem that is not there', async () => {
    const g = await start({ port: '/dev/serial/by-id/usb-no-modem-here-if00' });
    expect((await healthz(g)).warnings).toMatchObject([{ warning: 'sms' }]);
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    expect((await alice.next(onTopic('dispatch', { type: 'alert' }))).payload).toMatchObject({
      kind: 'sos',
      reason: 'new',
    });
    await g.tick(30_000); // the modem's port is tried again and again meanwhile
    expect(await ready(g)).toBe(0);
    expect(g.alerts.open()).toHaveLength(1);
  });

  it('is off by default, and refuses to start enabled without a port', () => {
    expect(loadConfig({}).sms).toMatchObject({ enabled: false, baudRate: 115_200, maxAttempts: 3 });
    try {
      loadConfig({ overrides: { sms: { enabled: true } } });
      expect.unreachable('a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual(['sms.port: required when sms.enabled is true']);
    }
  });
});
