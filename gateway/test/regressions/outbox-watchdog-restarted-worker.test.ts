import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { eventually } from '../helpers/forwarding.js';
import { watchedOutbox } from '../helpers/outbox.js';

/**
 * Found by probing: the stuck-outbox-worker watchdog compared the oldest unconfirmed hand-over
 * with the one at its last look, whichever worker was running then. A restarted worker is handed
 * the old worker's unconfirmed hand-overs first, so at the next look (a moment after it started,
 * or after a restart backoff longer than the watchdog interval) it "had confirmed nothing for a
 * whole interval" and was terminated again: a worker slowed by a long commit was killed in a loop,
 * its backoff doubling, and never stored anything again.
 */
describe('found by probing: the outbox watchdog and a restarted worker', { timeout: 30_000 }, () => {
  it('gives a worker started since its last look a whole interval before it calls it stuck', async () => {
    const { box, time, watchdog, failures } = watchedOutbox();
    await box.start();
    // Every worker, the restarted one too, takes no hand-over: none is ever confirmed.
    const post = Worker.prototype.postMessage;
    const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
      this: Worker,
      m: unknown,
    ) {
      if ((m as { type?: string }).type !== 'chunks') post.call(this, m);
    });
    onTestFinished(() => spy.mockRestore());
    const terminated = vi.spyOn(Worker.prototype, 'terminate');
    onTestFinished(() => terminated.mockRestore());
    const running = () => (box as unknown as { worker: Worker | undefined }).worker;

    box.add('routine', 'watchdog_probe value=1i 1');
    void box.ackTicket();
    await time.tick(10);
    await watchdog.tick(60_000); // two looks: stuck, terminated
    expect(failures).toHaveLength(1);
    await eventually(async () => expect(running()).toBeUndefined());

    await watchdog.tick(29_000);
    await time.tick(1000); // the restart backoff: a new worker, handed the old hand-over again
    await eventually(async () => expect(running()).toBeDefined());
    await watchdog.tick(1000); // a look, a second after it started
    expect(terminated, 'a worker running for a second is not stuck').toHaveBeenCalledTimes(1);

    await watchdog.tick(30_000); // a whole interval with nothing confirmed: now it is
    expect(terminated).toHaveBeenCalledTimes(2);
    expect(failures).toHaveLength(2);
  });
});
