import type { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Outbox } from '../../src/forwarding/outbox.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { eventually } from '../helpers/forwarding.js';
import { outboxWorkerOptions } from '../helpers/outbox.js';

describe('found by probing: acknowledgements while the outbox worker is down', { timeout: 30_000 }, () => {
  it('each waits its 2 s and each is counted, not only the first', async () => {
    const time = fakeClock();
    let timedOut = 0;
    let failures = 0;
    const worker = outboxWorkerOptions('http://127.0.0.1:9', {
      retryMinMs: 1000,
      retryMaxMs: 1000,
    });
    const outbox = new Outbox({
      clock: time.clock,
      log: silentLogger(),
      handOverMs: 50,
      handOverPoints: 2000,
      worker,
      onStats: () => {},
      onQueued: () => {},
      onFailure: () => {
        failures++;
      },
      onTicketTimedOut: () => {
        timedOut++;
      },
    });
    await outbox.start();
    onTestFinished(() => outbox.stop());
    worker.file = '/dev/null/outbox.sqlite'; // it cannot come back
    await (outbox as unknown as { worker: Worker }).worker.terminate();
    await eventually(async () => expect(failures).toBe(1));

    const acked: string[] = [];
    outbox.add('routine', 'probe value=1i 1');
    void outbox.ackTicket().then(() => acked.push('first'));
    await time.tick(2000);
    expect(acked).toEqual(['first']);
    expect(timedOut).toBe(1);

    outbox.add('routine', 'probe value=2i 2');
    void outbox.ackTicket().then(() => acked.push('second'));
    await time.tick(1);
    expect(acked, 'the second waits for a worker too').toEqual(['first']);
    await time.tick(1999);
    expect(acked).toEqual(['first', 'second']);
    expect(timedOut, 'both acknowledged unstored, both counted').toBe(2);
  });
});
