import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { onTestFinished } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Outbox } from '../../src/forwarding/outbox.js';
import type { OutboxWorkerOptions } from '../../src/forwarding/outbox-protocol.js';
import { fakeClock } from './fake-clock.js';
import { makeTempDir } from './tmp.js';

/**
 * What an outbox worker is started with in tests: a fresh outbox file, InfluxDB 1.x at `url`
 * (by default a port where nothing listens, so points stay in the outbox), short backoffs.
 */
export function outboxWorkerOptions(
  url = 'http://127.0.0.1:9',
  overrides: Partial<OutboxWorkerOptions> = {},
): OutboxWorkerOptions {
  return {
    file: join(makeTempDir(), 'outbox.sqlite'),
    target: {
      version: 1,
      url,
      database: 'careedge',
      retentionPolicy: '',
      username: '',
      password: '',
      timeoutMs: 5000,
    },
    batchPoints: 5000,
    maxBytes: 64 * 1024 * 1024,
    keepFreeBytes: 0,
    retryMinMs: 20,
    retryMaxMs: 200,
    breakerFailures: 2,
    noConsent: [],
    ...overrides,
  };
}

/**
 * An outbox on a real worker (storing into a fresh file, InfluxDB unreachable), on a fake gateway
 * clock and a fake watchdog clock (stuckAfterMs 30 s), counting failures, expired tickets and
 * dropped points; stopped when the test ends (unless `stopAtEnd: false`). `stall()` makes the running worker take no more
 * hand-overs, so it never confirms one (a hung write, from the main thread's side).
 */
export function watchedOutbox(more: { maxWaitingRoutine?: number } = {}, opts: { stopAtEnd?: boolean } = {}) {
  const time = fakeClock();
  const watchdog = fakeClock();
  let timedOut = 0;
  let dropped = 0;
  const failures: string[] = [];
  const box = new Outbox({
    clock: time.clock,
    log: silentLogger(),
    handOverMs: 50,
    handOverPoints: 5000,
    worker: outboxWorkerOptions(),
    onStats: () => {},
    onQueued: () => {},
    onFailure: (err) => failures.push(err.message),
    onTicketTimedOut: () => {
      timedOut++;
    },
    onDropped: (points) => {
      dropped += points;
    },
    ...more,
    watchdogClock: watchdog.clock,
    stuckAfterMs: 30_000,
  });
  // A test that mocks the worker's terminate() stops the outbox itself, after restoring it.
  if (opts.stopAtEnd !== false) onTestFinished(() => box.stop());
  const stall = () => {
    const worker = (box as unknown as { worker: Worker }).worker;
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (m: { type: string }) => {
      if (m.type !== 'chunks') post(m);
    };
  };
  return { box, time, watchdog, stall, failures, timedOut: () => timedOut, dropped: () => dropped };
}
