import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KioskThanks } from '@careedge/edge';
import { EXAMPLE_SITE, loadConfig, type RunningGateway, silentLogger, startGateway } from '@careedge/gateway';
import { createClock } from '@sinonjs/fake-timers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { happyIndexWatch } from '../../src/demo/happy-index-watch.js';
import { Kiosk } from '../../src/devices/kiosk.js';
import { KioskPattern } from '../../src/devices/kiosk-pattern.js';
import { seededRandom } from '../../src/random.js';
import { loadSimSite } from '../../src/site/sim-site.js';

const at = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00Z`);

describe('kiosk pattern', () => {
  /** Faces of many simulated minutes in the hour after `from` (several days' worth of that hour). */
  const faces = (dining: boolean, from: string, minutes = 20_000) => {
    const p = new KioskPattern({ dining, random: seededRandom(7) });
    const out: string[] = [];
    for (let i = 0; i < minutes; i++) {
      const tap = p.minute(at(from) + (i % 60) * 60_000);
      if (tap) out.push(tap.face);
    }
    return out;
  };
  const unhappyShare = (fs: string[]) => fs.filter((f) => f.endsWith('unhappy')).length / fs.length;

  it('is mostly happy, with a dip at the dining-room kiosk after lunch and not elsewhere', () => {
    expect(unhappyShare(faces(true, '10:00'))).toBeLessThan(0.3);
    expect(unhappyShare(faces(true, '12:30'))).toBeGreaterThan(0.5);
    expect(unhappyShare(faces(false, '12:30'))).toBeLessThan(0.3);
  });

  it('taps most after meals at the dining room, and hardly at night', () => {
    expect(faces(true, '12:30').length).toBeGreaterThan(2 * faces(true, '10:00').length);
    expect(faces(true, '02:00').length).toBeLessThan(faces(true, '10:00').length / 5);
  });
});

/** The kiosk simulator against the real gateway (fake gateway time) and the example site's lounge kiosk. */
describe('kiosk simulator against the real gateway', () => {
  const time = createClock(Date.now());
  let gateway: RunningGateway;
  let dataDir: string;
  let kiosk: Kiosk;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'careedge-sim-kiosk-'));
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile: EXAMPLE_SITE,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
      },
    });
    gateway = await startGateway({
      config,
      logger: silentLogger(),
      clock: {
        now: () => time.now,
        setTimeout: (fn, ms) => time.setTimeout(fn, ms),
        clearTimeout: (h) => time.clearTimeout(h as ReturnType<typeof time.setTimeout>),
      },
    });
    const entry = loadSimSite(EXAMPLE_SITE).devices.find((d) => d.kind === 'kiosk')!;
    kiosk = new Kiosk({
      url: `mqtt://127.0.0.1:${gateway.mqttPort}`,
      siteId: 'sunrise',
      id: entry.id,
      secret: entry.secret,
      clock: systemClock,
      heartbeatS: false,
    });
    await kiosk.connect();
  });
  afterAll(async () => {
    await kiosk?.close();
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const thanked = (n: number) =>
    new Promise<KioskThanks[]>((resolve) => {
      const got: KioskThanks[] = [];
      const on = (t: KioskThanks) => {
        got.push(t);
        if (got.length === n) {
          kiosk.off('thanks', on);
          resolve(got);
        }
      };
      kiosk.on('thanks', on);
    });

  it('is thanked for a tap and for every mashed tap; the gateway counts one and filters the rest', async () => {
    const one = thanked(1);
    const sent = await kiosk.tap('happy', 'food');
    expect((await one)[0]).toMatchObject({ tapSeq: sent.message.seq, text: 'Thank you for telling us.' });
    time.tick(3100); // past the mashing window; the mashed taps below all fall within it
    const five = thanked(5);
    const mashed = await kiosk.mash('very-unhappy', 5, 50);
    expect((await five).map((t) => t.tapSeq)).toEqual(mashed.map((s) => s.message.seq));
    const counter = gateway.context.metrics.registry.getSingleMetric('careedge_feedback_taps_total');
    const values = (await counter!.get()).values;
    expect(values.find((v) => v.labels.result === 'counted')?.value).toBe(2);
    expect(values.find((v) => v.labels.result === 'filtered')?.value).toBe(4);
  });

  it("the demo's Happy Index watch reads the kiosk's index with its staff token (the API needs a login)", async () => {
    const made = gateway.context.accounts.createToken('demo-watch-test', 'staff', 'test');
    if (!made.ok) throw new Error(made.problem);
    const lines: string[] = [];
    const watch = happyIndexWatch(`http://127.0.0.1:${gateway.httpPort}`, made.token, [kiosk.id], (l) =>
      lines.push(l),
    );
    try {
      await vi.waitFor(() => expect(lines.join('\n')).toMatch(/Happy Index kiosk-lounge: \d\.\d\d/), {
        timeout: 5000,
      });
      expect(lines.join('\n')).not.toMatch(/answered/);
    } finally {
      watch.stop();
    }
  });

  it("the call-staff key raises a call for the kiosk's room", async () => {
    const raised = new Promise<unknown>((resolve) =>
      gateway.context.bus.on('test', 'alert:changed', ({ alert, action }) => {
        if (action === 'raised' && alert.deviceId === kiosk.id) resolve(alert);
      }),
    );
    await kiosk.callStaff();
    expect(await raised).toMatchObject({ kind: 'call', roomId: 'w-lounge', residentId: null });
  });
});
