/**
 * found by a test that failed one run in ten on a busy machine: a gateway stopped gracefully
 * (SIGTERM) while bands were sending acknowledged readings that were never stored. The outbox
 * let go of its worker at stop(), but the worker's report of the last hand-over arrived after,
 * and the handler that adopts a newly started worker took it as the worker again. Its empty
 * hand-overs then answered new tickets at once: every band got PUBACKs for the readings of its
 * last ~300 ms, of which forwarding, already stopped, made no point.
 */
import type { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { settled } from '../helpers/fake-clock.js';
import { watchedOutbox } from '../helpers/outbox.js';

const line = (n: number) => `stop_probe,site=testsite value=${n}i ${1_790_000_000_000_000_000n + BigInt(n)}`;

describe('found by probing: an outbox stopped with a hand-over unconfirmed', { timeout: 30_000 }, () => {
  it('answers no ticket asked for after stop(), even when the worker reports after it was let go', async () => {
    const o = watchedOutbox({}, { stopAtEnd: false });
    await o.box.start();
    for (let n = 0; n < 100; n++) o.box.add('routine', line(n));
    o.box.handOver();
    const worker = (o.box as unknown as { worker: EventEmitter }).worker;
    const stopped = o.box.stop();
    await new Promise((resolve) => setImmediate(resolve)); // stop() has let go of the worker
    expect((o.box as unknown as { worker: unknown }).worker).toBeUndefined();
    // Its report on that hand-over, arriving now, while the thread is being stopped (as on a busy
    // machine; here it is sent on its behalf, to be sure it comes in this window).
    worker.emit('message', { type: 'stats', stats: o.box.stats });
    let acked = false;
    void o.box.ackTicket().then(() => {
      acked = true;
    });
    await settled();
    expect(
      (o.box as unknown as { worker: unknown }).worker,
      'a stopping outbox has no worker',
    ).toBeUndefined();
    expect(acked, 'a PUBACK now would tell the band its reading is stored').toBe(false);
    await stopped;
    await o.time.tick(10_000);
    expect(acked).toBe(false);
  });
});
