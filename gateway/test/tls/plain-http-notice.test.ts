import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { TEST_SITE } from '../helpers/gateway.js';
import { makeTempDir } from '../helpers/tmp.js';

// With no configuration the gateway listens plain, on loopback only, and says so in one line.
let gateway: RunningGateway | undefined;
afterAll(async () => {
  await gateway?.stop();
});

it('with no config: plain HTTP and MQTT on 127.0.0.1 only, TLS off, and one warning line saying so', async () => {
  const defaults = loadConfig({ env: {} });
  expect(defaults.http).toMatchObject({ host: '127.0.0.1', tls: { enabled: false } });
  expect(defaults.mqtt).toMatchObject({ host: '127.0.0.1', tls: { enabled: false } });

  const lines: { level: number; msg: string; httpHost?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const config = loadConfig({
    env: {},
    overrides: {
      siteFile: TEST_SITE,
      dataDir: makeTempDir(),
      mqtt: { port: 0 },
      http: { port: 0 },
    },
  });
  gateway = await startGateway({ config, clock: fakeClock().clock, logger: log });
  const notice = lines.filter((l) => l.msg.startsWith('console and API on plain HTTP'));
  expect(notice).toEqual([
    expect.objectContaining({
      level: 40,
      msg: 'console and API on plain HTTP, loopback only: enable http.tls for the LAN',
      httpHost: '127.0.0.1',
    }),
  ]);
  expect(gateway.httpsPort).toBeUndefined();
  expect((await fetch(`http://127.0.0.1:${gateway.httpPort}/healthz`)).status).toBe(200);
});
