/**
 * Found by probing: a base station plugged into the port configured for another (cables swapped
 * at the rack) had every hello checked with scrypt (~50 ms of CPU each on a Pi) before the port
 * told it it was the wrong one, and that refusal, unlike a bad secret, set no login pause: a
 * station saying hello again at its retransmission pace, or faster, kept the gateway's CPU busy
 * hashing, delaying every other alarm. The port's expected id is now checked first, for nothing.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it, vi } from 'vitest';
import type { DeepPartial } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { ptyPair } from '../helpers/pty-pair.js';
import { SerialStation } from '../helpers/serial-station.js';

const SERIAL_SITE = fileURLToPath(new URL('../fixtures/serial-site.yaml', import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function eventually(ok: () => Promise<boolean> | boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A gateway serving one PTY port (expecting `baseStation`, if given), and the station's end. */
async function setUp(baseStation?: string) {
  const pty = await ptyPair();
  cleanups.push(() => pty.close());
  const serial = {
    ports: [{ path: pty.a, ...(baseStation ? { baseStation } : {}) }],
    reconnectMinMs: 500,
    reconnectMaxMs: 2000,
  };
  const g: TestGateway = await testGateway({ siteFile: SERIAL_SITE, serial } as DeepPartial<GatewayConfig>);
  cleanups.push(() => g.stop());
  await eventually(
    async () => (await g.metric('careedge_serial_link_up', { port: pty.a })) === 1,
    'the port to open',
  );
  const station = await SerialStation.open(pty.b);
  cleanups.push(() => station.close());
  return { g, station };
}

it('refuses hellos from the wrong base station without a password check for each', async () => {
  const { g, station } = await setUp('bs-1');
  const checks = vi.spyOn(g.gateway.context.register, 'authenticate');

  for (let i = 0; i < 10; i++) {
    expect(await station.hello('bs-2')).toMatchObject({
      type: 'nack',
      payload: { reason: 'wrong-base-station' },
    });
  }
  expect(checks).not.toHaveBeenCalled();
  // The expected one still logs in, checked.
  expect(await station.hello('bs-1')).toMatchObject({ type: 'ack' });
  expect(checks).toHaveBeenCalledTimes(1);
});

it("still refuses a wristband's own secret as a base station's login on a port expecting none", async () => {
  const { station } = await setUp();
  expect(await station.hello('wb-s1')).toMatchObject({ type: 'nack', payload: { reason: 'bad-login' } });
});
