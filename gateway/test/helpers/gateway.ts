import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { buildHttpApi } from '../../src/api/http.js';
import { type RunningGateway, startGateway } from '../../src/app.js';
import type { ConsoleRole } from '../../src/auth/roles.js';
import { type DeepPartial, loadConfig } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { PinBank } from '../../src/gpio/pins.js';
import { fakeClock } from './fake-clock.js';
import { apiAs, consoleLogin } from './http.js';
import { TestClient } from './mqtt-client.js';

export const TEST_SITE = fileURLToPath(new URL('../fixtures/site.yaml', import.meta.url));
/** Secrets of the test site: `<id>-secret-0123456789`. */
export const secretOf = (id: string) => `${id}-secret-0123456789`;

/**
 * A real gateway (embedded broker on a free port, SQLite file in a temp dir) driven by a fake
 * clock, plus real MQTT clients for devices and handsets. `restart()` stops the gateway and
 * starts a new one on the same SQLite file and clock.
 */
export async function testGateway(
  overrides: DeepPartial<GatewayConfig> = {},
  /** `pins`: makes the GPIO pins on the gateway's clock (a FakePinBank); onoff's otherwise. */
  opts: { start?: number; pins?: (clock: Clock) => PinBank } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'careedge-test-'));
  const time = fakeClock(opts.start);
  const config = loadConfig({
    overrides: {
      siteFile: TEST_SITE,
      dataDir: dir,
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      ...overrides,
    },
  });
  const clients: TestClient[] = [];
  const pins = opts.pins?.(time.clock);
  // The fake clock's own monotonic time: ticks move it, setSystemTime (a wall-clock jump) does not.
  const monotonic = () => time.fake.performance.now();
  let gateway: RunningGateway = await startGateway({
    config,
    clock: time.clock,
    logger: silentLogger(),
    monotonic,
    ...(pins ? { pins } : {}),
  });

  const h = {
    dir,
    config,
    ...time,
    get gateway() {
      return gateway;
    },
    get alerts() {
      return gateway.context.alerts;
    },
    async client(id: string, password = secretOf(id)) {
      const c = await TestClient.connect(gateway.mqttPort, gateway.siteId, id, password);
      clients.push(c);
      return c;
    },
    async device(id: string) {
      const c = await h.client(id);
      await c.listen('deviceReassurance');
      return c;
    },
    async handset(id: string) {
      const c = await h.client(id);
      await c.listen('staffDispatch', 'staffResult');
      await c.send('staffStatus', { state: 'online' });
      return c;
    },
    /** The HTTP API with a machine token of `role` on every request (reading routes). */
    api(role: ConsoleRole = 'admin') {
      return apiAs(gateway.context, role);
    },
    /**
     * The HTTP API as `staffId` logged in to the console (cookie and CSRF token): acting on
     * alerts. On `app` when given (its login rate limit counts every login made on it).
     */
    console(staffId: string, app?: ReturnType<typeof buildHttpApi>) {
      return consoleLogin(gateway.context, staffId, app);
    },
    async restart() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await gateway.stop();
      gateway = await startGateway({
        config,
        clock: time.clock,
        logger: silentLogger(),
        monotonic,
        ...(pins ? { pins } : {}),
      });
    },
    async stop() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    metric: async (name: string, labels: Record<string, string> = {}) => {
      const m = await gateway.context.metrics.registry.getSingleMetric(name)?.get();
      const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
      return v?.value ?? 0;
    },
  };
  return h;
}

export type TestGateway = Awaited<ReturnType<typeof testGateway>>;
