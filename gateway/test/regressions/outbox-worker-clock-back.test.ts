/**
 * found by probing: the outbox worker's lingering before a write, its stats and its disk check
 * measured time with the wall clock. A Pi's clock set back (NTP correcting a clock that ran
 * ahead, fake-hwclock, an operator) by an hour made the worker linger an hour: nothing reached
 * InfluxDB, and no stats came, until the wall clock caught up.
 */

import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { FromWorker, OutboxWorkerOptions, ToWorker } from '../../src/forwarding/outbox-protocol.js';
import { eventually, influxdForTest } from '../helpers/forwarding.js';
import { outboxWorkerOptions } from '../helpers/outbox.js';

const BOOT = fileURLToPath(new URL('../../src/forwarding/outbox-worker-boot.mjs', import.meta.url));

/**
 * The real outbox worker, its Date.now() shifted by the seconds in `shift[0]` (the wall clock of
 * the Pi it runs on); the test sets them.
 */
function shiftedWorker(options: OutboxWorkerOptions, shift: Int32Array) {
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const shift = new Int32Array(workerData.shift);
     const real = Date.now;
     Date.now = () => real() + Atomics.load(shift, 0) * 1000;
     import(${JSON.stringify(BOOT)});`,
    { eval: true, workerData: { ...options, shift: shift.buffer } },
  );
  onTestFinished(() => worker.terminate().then(() => {}));
  const messages: FromWorker[] = [];
  worker.on('message', (m: FromWorker) => messages.push(m));
  return { worker, messages, post: (m: ToWorker) => worker.postMessage(m) };
}

const line = (n: number) => `clock_probe,site=testsite value=${n}i ${1_790_000_000_000_000_000n + BigInt(n)}`;

describe('found by probing: the wall clock set back under the outbox worker', { timeout: 60_000 }, () => {
  it('still writes to InfluxDB and reports', async () => {
    const influx = await influxdForTest();
    const shift = new Int32Array(new SharedArrayBuffer(4));
    const w = shiftedWorker(outboxWorkerOptions(influx.url), shift);
    const chunk = (seq: number, n: number): ToWorker => ({
      type: 'chunks',
      seq,
      chunks: [{ class: 'routine', points: 1, lines: line(n) }],
    });
    w.post(chunk(1, 1));
    await eventually(async () => expect(await influx.count('clock_probe', 'value')).toBe(1));

    Atomics.store(shift, 0, -3600); // the clock goes back an hour
    const reports = w.messages.filter((m) => m.type === 'stats').length;
    w.post(chunk(2, 2));
    await eventually(async () => expect(await influx.count('clock_probe', 'value')).toBe(2), 5000);
    await eventually(
      async () => expect(w.messages.filter((m) => m.type === 'stats').length).toBeGreaterThan(reports),
      5000,
    );
  });
});
