import { afterEach, expect, it, vi } from 'vitest';
import { serialGateway } from '../helpers/serial-station.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const setUp = (baseStation?: string) => serialGateway(cleanups, baseStation ? { baseStation } : {});

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
