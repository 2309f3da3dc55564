import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { eventually } from '../helpers/forwarding.js';
import { watchedOutbox } from '../helpers/outbox.js';

/**
 * Found by probing: the watchdog terminated a stuck outbox worker, and only its exit told the
 * gateway (onFailure: the forwarding problem on /healthz). A worker stuck in a hung write on a
 * failing card does not exit: terminate() stops JavaScript, not a system call that never returns.
 * The watchdog then logged every 30 s while /healthz said forwarding was fine and every PUBACK
 * went unstored.
 */
describe('found by probing: a stuck outbox worker that does not exit when terminated', {
  timeout: 30_000,
}, () => {
  it('is reported as failed by the watchdog, once, without waiting for its exit', async () => {
    // Stopped below, once terminate() is itself again.
    const { box, time, watchdog, failures } = watchedOutbox({}, { stopAtEnd: false });
    await box.start();
    const post = Worker.prototype.postMessage;
    const stalled = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
      this: Worker,
      m: unknown,
    ) {
      if ((m as { type?: string }).type !== 'chunks') post.call(this, m);
    });
    // A thread blocked in a system call: terminate() is asked, and nothing happens.
    const hung = vi
      .spyOn(Worker.prototype, 'terminate')
      .mockImplementation(() => new Promise<number>(() => {}));
    onTestFinished(async () => {
      hung.mockRestore();
      stalled.mockRestore();
      await box.stop();
    });
    box.add('routine', 'stuck_probe value=1i 1');
    void box.ackTicket();
    await time.tick(10);
    await watchdog.tick(60_000);
    expect(hung).toHaveBeenCalledTimes(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/confirmed nothing/);
    await watchdog.tick(30_000);
    expect(failures, 'said once').toHaveLength(1);

    // It comes out of the system call and goes: a death already said is not said again.
    hung.mockRestore();
    stalled.mockRestore();
    await (box as unknown as { worker: Worker }).worker.terminate();
    await time.tick(1000); // the restart backoff
    await eventually(async () => expect((box as unknown as { worker?: Worker }).worker).toBeDefined());
    expect(failures).toHaveLength(1);
  });
});
