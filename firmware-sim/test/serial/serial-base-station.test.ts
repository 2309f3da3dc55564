import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dispatch, KioskThanks, Reassurance } from '@careedge/edge';
import { loadConfig, type RunningGateway, silentLogger, startGateway } from '@careedge/gateway';
import { type PtyPair, ptyPair } from '@careedge/gateway/harness/pty-pair';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { Handset } from '../../src/devices/handset.js';
import { SerialBaseStation } from '../../src/serial/serial-base-station.js';
import { SerialWristband, WiredKiosk } from '../../src/serial/serial-devices.js';

const SITE = fileURLToPath(new URL('../fixtures/serial-site.yaml', import.meta.url));

/** Polls (real time: real PTYs, a real gateway) until `ok()` gives something; fails clearly. */
async function until<T>(ok: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = ok();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The base-station simulator on the real serialport package, through a socat PTY pair, against
 * the real gateway (its serial module on the other end, the embedded broker, SQLite, dispatch).
 * Real time: the assertions are about what arrived and how often, never about how long it took.
 */
describe('serial base-station simulator against the real gateway', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setUp() {
    const pty: PtyPair = await ptyPair();
    cleanups.push(() => pty.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'careedge-serial-sim-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile: SITE,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
        serial: { ports: [{ path: pty.a, baseStation: 'bs-1' }], reconnectMinMs: 100, reconnectMaxMs: 400 },
      },
    });
    const gateway: RunningGateway = await startGateway({ config, logger: silentLogger() });
    cleanups.push(() => gateway.stop());
    const handset = new Handset({
      url: `mqtt://127.0.0.1:${gateway.mqttPort}`,
      siteId: 'serialsim',
      id: 'alice',
      secret: 'alice-secret-0123456789',
      clock: systemClock,
    });
    await handset.connect();
    cleanups.push(() => handset.close());
    const station = new SerialBaseStation({
      path: pty.b,
      baseStationId: 'bs-1',
      secret: 'bs-1-secret-0123456789',
      clock: systemClock,
      retransmitMs: 200,
      reopenMs: 50,
    });
    cleanups.push(() => station.close());
    await station.start();
    const metric = async (name: string, labels: Record<string, string>) => {
      const text = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    return { pty, gateway, handset, station, metric };
  }

  it('an SOS through line noise, a bad CRC and an unplug arrives once, and its reassurance comes back down the line', async () => {
    const { pty, handset, station, metric } = await setUp();
    const dispatches: Dispatch[] = [];
    handset.on('dispatch', (d) => dispatches.push(d));
    const band = new SerialWristband('wb-s1', station, systemClock);
    const heard: Reassurance[] = [];
    band.on('reassurance', (r) => heard.push(r));

    station.noise(300);
    station.badCrc(); // the SOS's first copy is rejected by the gateway; the station sends it again
    await band.sos(); // resolves on the gateway's ACK: the alarm is in its journal
    expect(station.link.stats.retransmitted).toBeGreaterThanOrEqual(1);
    const sos = await until(() => dispatches.find((d) => d.kind === 'sos'), 'the SOS dispatch');
    expect(sos).toMatchObject({ residentId: 'r1', count: 1, reason: 'new' });

    // The cable is pulled; the carer accepts meanwhile: the reassurance waits at the gateway.
    await pty.unplug();
    await until(() => !station.ready, 'the station to notice the unplug');
    const accepted = await handset.ack(sos.alertId);
    expect(accepted.status).toBe('ok');
    expect(heard).toEqual([]);

    await pty.plug(); // socat again, the same link names: both ends open them again
    const reassurance = await until(() => heard[0], 'the reassurance down the serial line');
    expect(reassurance).toMatchObject({ alertId: sos.alertId, text: expect.stringContaining('Alice') });
    expect(station.reopened).toBeGreaterThanOrEqual(1);

    // Once: one alert, raised once, and the gateway counted the bad frame and the reconnect.
    expect(new Set(dispatches.filter((d) => d.kind === 'sos').map((d) => d.alertId))).toEqual(
      new Set([sos.alertId]),
    );
    expect(dispatches.every((d) => d.count === 1)).toBe(true);
    expect(await metric('careedge_serial_rejections_total', { reason: 'bad-crc' })).toBeGreaterThanOrEqual(1);
    expect(await metric('careedge_serial_reconnects_total', { port: pty.a })).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a second copy would have come by now
    expect(heard).toHaveLength(1);
  }, 20_000);

  it('a wired kiosk behind the base station taps through dropped bytes and hears its thank-you', async () => {
    const { station, metric } = await setUp();
    const kiosk = new WiredKiosk('kiosk-s1', station, systemClock);
    const thanks: KioskThanks[] = [];
    kiosk.on('thanks', (t) => thanks.push(t));
    station.dropBytes(5); // the tap's first copy is cut short on the line
    await kiosk.tap('unhappy', 'food');
    await until(() => thanks[0], 'the thank-you');
    const cut =
      (await metric('careedge_serial_rejections_total', { reason: 'bad-crc' })) +
      (await metric('careedge_serial_rejections_total', { reason: 'malformed' }));
    expect(cut).toBeGreaterThanOrEqual(1);
    expect(station.link.stats.retransmitted).toBeGreaterThanOrEqual(1);
  }, 15_000);
});
