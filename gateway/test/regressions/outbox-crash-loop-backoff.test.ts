/**
 * found by probing: an outbox worker that died soon after every start (a hand-over it cannot
 * take, memory) was started again every second for ever: a successful start put the backoff back
 * to 1 s, so it never grew towards 60 s, and each round was a new thread, the outbox file opened
 * again, an error logged and a health warning, every second, on the card of a Pi.
 */
import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Outbox } from '../../src/forwarding/outbox.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { eventually } from '../helpers/forwarding.js';
import { outboxWorkerOptions } from '../helpers/outbox.js';

/** The process's threads: a worker thread is one of them while it runs. */
const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);

describe('found by probing: an outbox worker in a crash loop', { timeout: 30_000 }, () => {
  it('is started again ever later, not every second; after a healthy minute from 1 s again', async () => {
    const time = fakeClock();
    let failures = 0;
    const outbox = new Outbox({
      clock: time.clock,
      log: silentLogger(),
      handOverMs: 50,
      handOverPoints: 2000,
      worker: outboxWorkerOptions('http://127.0.0.1:9', {
        retryMinMs: 1000,
        retryMaxMs: 1000,
      }),
      onStats: () => {},
      onQueued: () => {},
      onFailure: () => {
        failures++;
      },
    });
    await outbox.start();
    onTestFinished(() => outbox.stop());
    const internals = outbox as unknown as { worker: Worker | undefined };
    /** The worker dies as soon as it is up, as one that cannot take what it is handed would. */
    const crash = async () => {
      await eventually(async () => expect(internals.worker).toBeDefined());
      const before = failures;
      await internals.worker!.terminate();
      await eventually(async () => expect(failures).toBe(before + 1));
    };

    await crash();
    const base = threads();
    await time.tick(1000); // first restart after 1 s
    expect(threads()).toBe(base + 1);
    await crash();
    await time.tick(1000);
    expect(threads(), 'not again after 1 s').toBe(base);
    await time.tick(1000); // after 2 s
    expect(threads()).toBe(base + 1);
    await crash();
    await time.tick(3999);
    expect(threads(), 'not again before 4 s').toBe(base);
    await time.tick(1);
    expect(threads()).toBe(base + 1);

    // One that ran a minute was healthy: its death starts the backoff afresh.
    await eventually(async () => expect(internals.worker).toBeDefined());
    await time.tick(60_000);
    await crash();
    await time.tick(1000);
    expect(threads()).toBe(base + 1);
    await eventually(async () => expect(internals.worker).toBeDefined());
  });
});
