import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/forwarding.js';
import { watchedOutbox } from '../helpers/outbox.js';

const line = (n: number) => `stuck_probe,site=testsite value=${n}i ${1_790_000_000_000_000_000n + BigInt(n)}`;

/**
 * A device's PUBACK waits for its points to be in the outbox file. A worker that is running but
 * slow (40,000 points a second on a 2-core machine) keeps devices waiting: that waiting is what
 * slows them to its pace. Acknowledging after 2 s regardless let them send on, and the gateway's
 * memory grew to 1.3 GB. A worker that confirms nothing at all is stuck, and is started again.
 */
describe('outbox worker that is slow or stuck', { timeout: 30_000 }, () => {
  const outbox = watchedOutbox;

  it('keeps a PUBACK waiting while the worker runs, up to 5 s (an SOS may wait behind it), then counts it unstored', async () => {
    const o = outbox();
    await o.box.start();
    o.stall();
    let acked = false;
    o.box.add('routine', line(1));
    void o.box.ackTicket().then(() => {
      acked = true;
    });
    await o.time.tick(4999); // the gateway's clock: past the 2 s a worker that is down gets
    expect(acked).toBe(false);
    expect(o.timedOut()).toBe(0);
    await o.time.tick(1);
    expect(acked).toBe(true);
    expect(o.timedOut()).toBe(1);
  });

  it('hands a lagging worker no more routine points than it may keep waiting: the rest are trimmed here, counted', async () => {
    const o = outbox({ maxWaitingRoutine: 100 });
    await o.box.start();
    o.stall();
    for (let n = 0; n < 250; n++) o.box.add('routine', line(n));
    o.box.handOver(); // 250 unconfirmed: lagging from now on
    for (let n = 250; n < 600; n++) o.box.add('routine', line(n));
    o.box.add('precious', line(600));
    let acked = false;
    void o.box.ackTicket().then(() => {
      acked = true;
    });
    await o.time.tick(100);
    const state = o.box as unknown as {
      pending: { routine: string[]; precious: string[] };
      unconfirmed: Map<number, unknown>;
    };
    expect(state.pending.routine.length, 'the newest routine points wait here, at most the cap').toBe(100);
    expect(state.pending.precious, 'precious points are still handed over').toEqual([]);
    expect(o.dropped()).toBe(250);
    await o.time.tick(4900);
    expect(acked, 'its points were not handed over: no PUBACK until its bound, counted').toBe(true);
    expect(o.timedOut()).toBe(1);
  });

  it('terminates a worker that confirmed nothing for a whole watchdog interval; the new one stores what it had', async () => {
    const o = outbox();
    await o.box.start();
    o.stall();
    let acked = false;
    o.box.add('routine', line(1));
    void o.box.ackTicket().then(() => {
      acked = true;
    });
    await o.time.tick(10);
    await o.watchdog.tick(30_000); // first look: this hand-over is the oldest unconfirmed
    expect(o.failures, 'one look is not enough: it may have been handed over a moment ago').toEqual([]);
    await o.watchdog.tick(30_000); // still the oldest: stuck
    expect(o.failures).toHaveLength(1);
    await eventually(async () => expect((o.box as unknown as { worker?: Worker }).worker).toBeUndefined());
    expect(o.failures, 'its exit is not said again').toHaveLength(1);
    await o.time.tick(1000); // the restart backoff
    await eventually(async () => expect(acked).toBe(true));
    expect(o.timedOut()).toBe(0);
  });

  it('leaves a worker alone that confirms, however slowly', async () => {
    const o = outbox();
    await o.box.start();
    for (let round = 0; round < 3; round++) {
      o.box.add('routine', line(round));
      await new Promise<void>((resolve) => void o.box.ackTicket().then(resolve));
      await o.watchdog.tick(30_000);
    }
    expect(o.failures).toEqual([]);
  });
});
