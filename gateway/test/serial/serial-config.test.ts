import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';

const SERIAL_SITE = fileURLToPath(new URL('../fixtures/serial-site.yaml', import.meta.url));

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('serial configuration', () => {
  it('fills in the baud rate and the reconnect backoff', () => {
    const c = loadConfig({ overrides: { serial: { ports: [{ path: '/dev/serial/by-id/usb-FTDI-if00' }] } } });
    expect(c.serial.ports).toEqual([{ path: '/dev/serial/by-id/usb-FTDI-if00', baudRate: 115_200 }]);
    expect(c.serial).toMatchObject({ reconnectMinMs: 500, reconnectMaxMs: 10_000, ackTimeoutMs: 1000 });
  });

  it('refuses to start on ports it cannot serve, saying where', () => {
    expect(
      problemsOf(() =>
        loadConfig({
          overrides: {
            serial: {
              ports: [
                { path: '/dev/ttyUSB0', baseStation: 'bs-1' },
                { path: '/dev/ttyUSB0' },
                { path: '/dev/ttyUSB1', baseStation: 'bs-1' },
                { path: '', baseStation: 'no spaces' },
              ],
              reconnectMinMs: 5000,
              reconnectMaxMs: 1000,
            },
          },
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^serial\.ports\[3\]\.path: /),
      expect.stringMatching(/^serial\.ports\[3\]\.baseStation: /),
    ]);
    expect(
      problemsOf(() =>
        loadConfig({
          overrides: {
            serial: {
              ports: [
                { path: '/dev/ttyUSB0', baseStation: 'bs-1' },
                { path: '/dev/ttyUSB0' },
                { path: '/dev/ttyUSB1', baseStation: 'bs-1' },
              ],
              reconnectMinMs: 5000,
              reconnectMaxMs: 1000,
            },
          },
        }),
      ),
    ).toEqual([
      'serial.reconnectMinMs: must not be above serial.reconnectMaxMs',
      'serial.ports[1].path: "/dev/ttyUSB0" is already serial.ports[0]',
      'serial.ports[2].baseStation: "bs-1" is already expected on serial.ports[0]',
    ]);
  });

  it('refuses to start when a port expects a base station the site file does not have', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'careedge-serial-'));
    const config = loadConfig({
      overrides: {
        siteFile: SERIAL_SITE,
        dataDir: dir,
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
        serial: { ports: [{ path: join(dir, 'no-such-port'), baseStation: 'wb-s1' }] },
      },
    });
    const refused = await startGateway({ config, logger: silentLogger() }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      'serial.ports[0].baseStation: "wb-s1" is not a base-station in the site file',
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});
