/**
 * Found by probing: an optional module whose retried start was still under way when the gateway
 * stopped (the forwarding's outbox worker opening its file, ~100 ms on a Pi; a serial module
 * waiting for its subscription) was never stopped: stop() stopped only the modules already
 * started, and the retry finished afterwards and left it running in a stopped gateway (a worker
 * thread with the outbox file open, ports reopened with backoff, the process kept alive).
 */
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { GatewayModule } from '../../src/core/module.js';
import { startModules } from '../../src/core/modules.js';
import { fakeClock } from '../helpers/fake-clock.js';

it('stops an optional module whose retried start finishes after the gateway began to stop', async () => {
  const { clock, tick } = fakeClock();
  let attempts = 0;
  let finishStart!: () => void;
  const running: string[] = [];
  const module: GatewayModule = {
    name: 'slow-optional',
    optional: true,
    start() {
      attempts++;
      if (attempts === 1) throw new Error('not yet');
      return new Promise<void>((resolve) => {
        finishStart = () => {
          running.push('started');
          resolve();
        };
      });
    },
    stop() {
      if (running.length > 0) running.push('stopped');
    },
  };
  const stop = await startModules([module], clock, silentLogger());
  await tick(30_000); // the retry: its start is under way
  expect(attempts).toBe(2);

  const stopped = stop();
  finishStart();
  await stopped;
  expect(running).toEqual(['started', 'stopped']);
  await tick(60_000);
  expect(attempts, 'no retry after the stop').toBe(2);
});
