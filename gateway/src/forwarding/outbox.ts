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

/** First wait before a dead worker is started again; it doubles up to the second. */
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 60_000;
/**
 * Routine points kept here while there is no worker to take them: about a minute of 2,000 bands
 * at 1 Hz. Beyond it the oldest routine points go, counted, as in a full outbox; alert, feedback
 * and workload points are never dropped.
 */
const MAX_WAITING_ROUTINE = 120_000;

type Chunks = Extract<ToWorker, { type: 'chunks' }>;

/**
 * The main thread's side of the outbox: it only collects line-protocol strings and hands them to
 * the worker in batches (every `handOverMs`, or at `handOverPoints` lines), one chunk per class.
 * A point is durable once the worker has committed its chunk: what is at risk in a crash is what
 * sits here, at most one hand-over interval of points.
 *
 * A worker that dies (a bug, or memory) is started again after a backoff, on the same outbox
 * file: what it had committed is sent from there, and what it had been handed but not confirmed
 * is handed to the new one (a chunk stored twice is written twice, and InfluxDB overwrites a
 * point with the same series and time). Meanwhile points wait here.
 */
export class Outbox {
  private worker: Worker | undefined;
  private readonly pending: Record<PointClass, string[]> = { routine: [], precious: [] };
  /** Hand-overs the worker has not confirmed storing, by their number. */
  private readonly unconfirmed = new Map<number, Chunks>();
  private handOvers = 0;
  private timer: unknown;
  private restartTimer: unknown;
  private restartDelayMs = RESTART_MIN_MS;
  private stopping = false;
  /** Resolves once the current worker exited. */
  private exited: Promise<void> | undefined;
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
      /** The worker died: nothing is forwarded until it is back. */
      onFailure: (err: Error) => void;
      /** Points handed to the worker (counted per hand-over, not per point). */
      onQueued: (points: number) => void;
      /** Routine points dropped here while no worker could take them. */
      onDropped?: (points: number) => void;
      /** Routine points kept here while there is no worker (default MAX_WAITING_ROUTINE). */
      maxWaitingRoutine?: number;
    },
  ) {}

  /** Starts the worker; fails when it cannot open the outbox file. */
  async start(): Promise<void> {
    await this.spawn();
    this.schedule();
  }

  add(cls: PointClass, line: string): void {
    const list = this.pending[cls];
    list.push(line);
    const max = this.opts.maxWaitingRoutine ?? MAX_WAITING_ROUTINE;
    if (!this.worker && cls === 'routine' && list.length > max) {
      const excess = list.length - max;
      list.splice(0, excess);
      this.opts.onDropped?.(excess);
      return;
    }
    if (list.length >= this.opts.handOverPoints) this.handOver();
  }

  /** Hands everything collected to the worker now (kept here while there is none). */
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
    const message: Chunks = { type: 'chunks', seq: ++this.handOvers, chunks };
    this.unconfirmed.set(message.seq, message);
    this.worker.postMessage(message);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.opts.clock.clearTimeout(this.timer);
    this.opts.clock.clearTimeout(this.restartTimer);
    this.timer = undefined;
    const worker = this.worker;
    if (!worker) {
      const waiting = this.pending.routine.length + this.pending.precious.length;
      if (waiting > 0)
        this.opts.log.warn({ points: waiting }, 'outbox worker not running at stop: points lost');
      return;
    }
    this.handOver();
    this.worker = undefined;
    const said = new Promise<void>((resolve) => {
      this.saidStopped = resolve;
    });
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    await Promise.race([said, this.exited]);
    // Its file is closed; a socket the InfluxDB client keeps open to a server that never
    // answered would keep the thread (and the gateway's stop) alive for ever.
    await worker.terminate();
  }

  /** Starts a worker; resolves at its first report (the outbox file is open). */
  private async spawn(): Promise<void> {
    const worker = new Worker(workerUrl(), { workerData: this.opts.worker });
    let lastError: Error | undefined;
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        resolve();
        if (this.worker === worker)
          this.died(lastError ?? new Error(`the outbox worker exited (code ${code})`));
      });
    });
    worker.on('error', (err) => {
      lastError = err;
    });
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      const early = (code: number) =>
        reject(lastError ?? new Error(`the outbox worker exited (code ${code}) before it started`));
      worker.once('error', failed);
      worker.once('exit', early);
      worker.on('message', (m: FromWorker) => {
        this.onMessage(m);
        if (m.type !== 'stats' || this.worker === worker) return;
        worker.off('error', failed).off('exit', early);
        this.worker = worker;
        resolve();
      });
    });
  }

  private died(err: Error): void {
    this.worker = undefined;
    if (this.stopping) return;
    this.opts.log.error(
      { err, retryInMs: this.restartDelayMs },
      'outbox worker died; points wait here and it is started again',
    );
    this.opts.onFailure(err);
    this.restartLater();
  }

  private restartLater(): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_MAX_MS, delay * 2);
    this.restartTimer = this.opts.clock.setTimeout(() => {
      this.spawn().then(
        () => {
          if (this.stopping) return;
          this.restartDelayMs = RESTART_MIN_MS;
          this.opts.log.info({ resent: this.unconfirmed.size }, 'outbox worker started again');
          // Handed over before it died, never confirmed: the new one stores them, in order.
          for (const message of this.unconfirmed.values()) this.worker?.postMessage(message);
          this.handOver();
        },
        (err: unknown) => {
          if (this.stopping) return;
          this.opts.log.error({ err, retryInMs: this.restartDelayMs }, 'outbox worker did not start again');
          this.restartLater();
        },
      );
    }, delay);
  }

  private schedule(): void {
    this.timer = this.opts.clock.setTimeout(() => {
      this.handOver();
      if (!this.stopping) this.schedule();
    }, this.opts.handOverMs);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'stats':
        this.stats = m.stats;
        this.opts.onStats(m.stats);
        return;
      case 'stored':
        this.unconfirmed.delete(m.seq);
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
