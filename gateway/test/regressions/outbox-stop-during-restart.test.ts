/**
 * found by probing: a gateway stopped while its dead outbox worker was being started again (the
 * backoff over, the new thread still opening the outbox file) left that new thread running: stop()
 * saw no worker and returned, then the thread reported and was taken as the outbox's worker. It
 * kept the outbox file open and the process alive after the gateway's stop, and the modules
 * framework starting forwarding again would have had two workers on one file.
 */
import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Outbox } from '../../src/forwarding/outbox.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { eventually } from '../helpers/forwarding.js';
import { outboxWorkerOptions } from '../helpers/outbox.js';

/** The process's threads: a worker thread is one of them while it runs. */
const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);

describe('found by probing: outbox stopped while its worker is being started again', {
  timeout: 30_000,
}, () => {
  it('ends the thread that was starting instead of keeping it', async () => {
    const time = fakeClock();
    const outbox = new Outbox({
      clock: time.clock,
      log: silentLogger(),
      handOverMs: 50,
      handOverPoints: 2000,
      // Nothing listens at the default URL: the worker keeps its points, which is all this needs.
      worker: outboxWorkerOptions(undefined, { retryMinMs: 1000, retryMaxMs: 1000 }),
      onStats: () => {},
      onQueued: () => {},
      onFailure: () => {},
    });
    await outbox.start();
    const internals = outbox as unknown as { worker: Worker | undefined };
    const first = internals.worker!;
    await first.terminate();
    await eventually(async () => expect(internals.worker).toBeUndefined());
    const withoutWorker = threads();

    await time.tick(1000); // the backoff is over: a new thread is opening the file
    expect(threads()).toBe(withoutWorker + 1);
    await outbox.stop();
    expect(threads(), 'no thread left running after stop').toBe(withoutWorker);
    await time.settled();
    expect(internals.worker, 'no worker taken after stop').toBeUndefined();
  });
});
