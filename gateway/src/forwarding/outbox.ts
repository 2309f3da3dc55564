import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { PointClass } from './measurements.js';
import type { FromWorker, OutboxStats, OutboxWorkerOptions, ToWorker } from './outbox-protocol.js';

/** The built gateway has the worker beside its bundle; from source it runs through tsx. */
function workerUrl(): URL {
  const built = new URL('./outbox-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : new URL('./outbox-worker-boot.mjs', import.meta.url);
}

/**
 * The main thread's side of the outbox: it only collects line-protocol strings and hands them to
 * the worker in batches (every `handOverMs`, or at `handOverPoints` lines), one chunk per class.
 * A point is durable once the worker has committed its chunk: what is at risk in a crash is what
 * sits here, at most one hand-over interval of points.
 */
export class Outbox {
  private worker: Worker | undefined;
  private readonly pending: Record<PointClass, string[]> = { routine: [], precious: [] };
  private timer: unknown;
  private stopped: Promise<void> | undefined;
  /** Resolves Outbox.stop() once the worker said it stopped. */
  private saidStopped: (() => void) | undefined;
  /** The worker's latest totals; `undefined` until it reported. */
  stats: OutboxStats | undefined;

  constructor(
    private readonly opts: {
      clock: Clock;
      log: Logger;
      worker: OutboxWorkerOptions;
      handOverMs: number;
      handOverPoints: number;
      onStats: (s: OutboxStats) => void;
      /** The worker died: nothing is forwarded any more. */
      onFailure: (err: Error) => void;
      /** Points handed to the worker (counted per hand-over, not per point). */
      onQueued: (points: number) => void;
    },
  ) {}

  async start(): Promise<void> {
    const worker = new Worker(workerUrl(), { workerData: this.opts.worker });
    this.worker = worker;
    let exited: () => void = () => {};
    this.stopped = new Promise((resolve) => {
      exited = resolve;
    });
    worker.on('exit', () => exited());
    worker.on('error', (err) => {
      this.opts.log.error({ err }, 'outbox worker failed; forwarding stopped until the gateway restarts');
      this.opts.onFailure(err);
    });
    // The first report means the outbox file is open: a file that cannot be opened fails start().
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the outbox worker exited (code ${code}) before it started`)),
      );
      worker.on('message', (m: FromWorker) => {
        this.onMessage(m);
        if (m.type === 'stats') resolve();
      });
    });
    this.schedule();
  }

  add(cls: PointClass, line: string): void {
    const list = this.pending[cls];
    list.push(line);
    if (list.length >= this.opts.handOverPoints) this.handOver();
  }

  /** Hands everything collected to the worker now. */
  handOver(): void {
    if (!this.worker) return;
    const chunks = (['precious', 'routine'] as const)
      .filter((c) => this.pending[c].length > 0)
      .map((c) => {
        const lines = this.pending[c];
        this.pending[c] = [];
        return { class: c, points: lines.length, lines: lines.join('\n') };
      });
    if (chunks.length === 0) return;
    this.opts.onQueued(chunks.reduce((n, c) => n + c.points, 0));
    this.worker.postMessage({ type: 'chunks', chunks } satisfies ToWorker);
  }

  async stop(): Promise<void> {
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const worker = this.worker;
    if (!worker) return;
    this.handOver();
    this.worker = undefined;
    const said = new Promise<void>((resolve) => {
      this.saidStopped = resolve;
    });
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    await Promise.race([said, this.stopped]);
    // Its file is closed; a socket the InfluxDB client keeps open to a server that never
    // answered would keep the thread (and the gateway's stop) alive for ever.
    await worker.terminate();
  }

  private schedule(): void {
    this.timer = this.opts.clock.setTimeout(() => {
      this.handOver();
      if (this.worker) this.schedule();
    }, this.opts.handOverMs);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'stats':
        this.stats = m.stats;
        this.opts.onStats(m.stats);
        return;
      case 'log':
        this.opts.log[m.level](m.data, m.msg);
        return;
      case 'stopped':
        this.saidStopped?.();
        return;
    }
  }
}
