import type { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import { forwardingMetrics } from '../../src/forwarding/metrics.js';
import { Outbox } from '../../src/forwarding/outbox.js';
import type { OutboxStats } from '../../src/forwarding/outbox-protocol.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { eventually, influxdForTest } from '../helpers/forwarding.js';
import { outboxWorkerOptions } from '../helpers/outbox.js';

const line = (n: number) =>
  `restart_probe,site=testsite value=${n}i ${1_790_000_000_000_000_000n + BigInt(n)}`;

describe('outbox worker that dies', { timeout: 60_000 }, () => {
  it('is started again after a backoff; points made meanwhile wait, and every point arrives once', async () => {
    const influx = await influxdForTest();
    const time = fakeClock();
    const failures: string[] = [];
    let dropped = 0;
    let timedOut = 0;
    const outbox = new Outbox({
      clock: time.clock,
      log: silentLogger(),
      handOverMs: 50,
      handOverPoints: 5000,
      worker: outboxWorkerOptions(influx.url),
      onStats: () => {},
      onQueued: () => {},
      onFailure: (err) => failures.push(err.message),
      onDropped: (points) => {
        dropped += points;
      },
      maxWaitingRoutine: 150,
      onTicketTimedOut: () => {
        timedOut++;
      },
    });
    await outbox.start();
    onTestFinished(() => outbox.stop());
    for (let n = 0; n < 100; n++) outbox.add('routine', line(n));
    outbox.handOver();
    await eventually(async () => expect(await influx.count('restart_probe', 'value')).toBe(100));

    // The thread dies as an uncaught error or running out of memory would end it.
    await (outbox as unknown as { worker: Worker }).worker.terminate();
    await eventually(async () => expect(failures).toHaveLength(1));
    for (let n = 100; n < 260; n++) outbox.add('routine', line(n));
    outbox.add('precious', line(1000));
    outbox.handOver(); // no worker: they wait here, the oldest routine ones beyond 150 dropped
    expect(dropped).toBe(10);
    await time.tick(1);
    expect(await influx.count('restart_probe', 'value')).toBe(100);

    // A device's PUBACK waits for the outbox file, but not for ever while there is no worker.
    let acked = false;
    void outbox.ackTicket().then(() => {
      acked = true;
    });
    await time.tick(998);
    expect(acked).toBe(false);
    expect(timedOut).toBe(0);

    await time.tick(1); // the backoff is over: a new worker on the same file takes them
    await eventually(async () => expect(await influx.count('restart_probe', 'value')).toBe(251));
    expect(await influx.count('restart_probe', 'value', 'value >= 110 AND value < 260')).toBe(150);
    expect(await influx.count('restart_probe', 'value', 'value = 1000'), 'never dropped').toBe(1);
    expect(failures).toHaveLength(1);
    await eventually(async () => expect(acked, 'stored by the new worker').toBe(true));
    expect(timedOut).toBe(0);

    // Dead again, and it cannot start (its file is gone bad): a device is acknowledged anyway
    // after 2 s, counted.
    (outbox as unknown as { opts: { worker: { file: string } } }).opts.worker.file =
      '/dev/null/outbox.sqlite';
    await (outbox as unknown as { worker: Worker }).worker.terminate();
    await eventually(async () => expect(failures).toHaveLength(2));
    let late = false;
    void outbox.ackTicket().then(() => {
      late = true;
    });
    await time.tick(1999);
    expect(late).toBe(false);
    await time.tick(1);
    await eventually(async () => expect(late).toBe(true));
    expect(timedOut).toBe(1);
  });
});

describe('forwarding metrics', () => {
  const stats = (sent: number, dropped: number): OutboxStats => ({
    backlogPoints: 0,
    backlogBytes: 0,
    sent,
    withheld: 0,
    dropped,
    deadLettered: 0,
    writeErrors: 0,
    breaker: 'closed',
  });

  it('follow the totals of a worker started again from zero, never counting down', async () => {
    const metrics = createMetrics();
    const m = forwardingMetrics(metrics.registry);
    m.follow(stats(500, 3));
    m.follow(stats(20, 0)); // a new worker
    m.follow(stats(70, 1));
    const value = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)!.get()).values[0]!.value;
    expect(await value('careedge_forward_points_sent_total')).toBe(570);
    expect(await value('careedge_forward_points_dropped_total')).toBe(4);
  });
});
