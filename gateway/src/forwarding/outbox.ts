import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type Clock, systemClock } from '../core/clock.js';
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
 * A worker that ran this long before it died starts the backoff afresh; one dying sooner (a
 * hand-over it cannot take, memory) is started again ever later, not every second.
 */
const HEALTHY_AFTER_MS = 60_000;
/**
 * Routine points kept here while there is no worker to take them, and handed to a running one
 * not yet confirmed: about a minute of 2,000 bands at 1 Hz. Beyond it the oldest routine points go, counted, as in a full outbox; alert, feedback
 * and workload points are never dropped.
 */
const MAX_WAITING_ROUTINE = 120_000;
/**
 * The longest a device waits for the PUBACK of telemetry the outbox has not stored (its worker is
 * down): after it the message is acknowledged all the same, counted, rather than stalling every
 * band's connection.
 */
const MAX_ACK_WAIT_MS = 2000;
/**
 * The longest a device waits for the PUBACK of telemetry a running worker has not stored yet.
 * Devices waiting for a slow worker is what slows them to its pace (a band at 4 Hz fills its
 * window of 10 in 2.5 s), but a band whose window is full cannot send its SOS meanwhile, and a
 * connection with many PUBACKs held is not read: forwarding is optional, and the alarm path must
 * not wait for a worker that confirms nothing (until the watchdog's second look, or for ever in a
 * hung write no terminate() interrupts). Routine points beyond maxWaitingRoutine that a lagging
 * worker has not confirmed wait here and are trimmed, counted, as when it is down.
 */
const MAX_ACK_WAIT_RUNNING_MS = 5000;
/**
 * A running worker that confirms nothing for this long while hand-overs wait is stuck (a hung
 * write, a lock it never gets): it is terminated and started again, and what it had not confirmed
 * is handed to the new one. A slow worker is not stuck: while it confirms, devices wait for it.
 */
const STUCK_AFTER_MS = 30_000;

type Chunks = Extract<ToWorker, { type: 'chunks' }>;

/** The answer to a ticket asked for while stopping. */
const NEVER = new Promise<void>(() => {});

const routinePoints = (m: Chunks) => m.chunks.reduce((n, c) => n + (c.class === 'routine' ? c.points : 0), 0);

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
  /**
   * Routine points among them. A worker that lags (slow, or stuck until the watchdog) by
   * maxWaitingRoutine gets no more: the rest wait here, trimmed as when it is down, so devices
   * acknowledged after MAX_ACK_WAIT_RUNNING_MS do not grow this process's memory.
   */
  private unconfirmedRoutine = 0;
  private handOvers = 0;
  private timer: unknown;
  private restartTimer: unknown;
  private restartDelayMs = RESTART_MIN_MS;
  /** Puts the backoff back to its start once the current worker ran HEALTHY_AFTER_MS. */
  private healthyTimer: unknown;
  private stopping = false;
  /** What points added since the last hand-over wait for: the next hand-over's commit. */
  private nextTicket: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Tickets bound to a hand-over, by its number: resolved once it (and all before it) is stored. */
  private readonly tickets = new Map<number, () => void>();
  /** A hand-over for waiting tickets is asked for in the next check phase. */
  private handOverSoon = false;
  /** A worker being started, not yet reporting (its outbox file is being opened). */
  private starting: Worker | undefined;
  /** Resolves once the current worker exited. */
  private exited: Promise<void> | undefined;
  /** Resolves Outbox.stop() once the worker said it stopped. */
  private saidStopped: (() => void) | undefined;
  /** The oldest unconfirmed hand-over at the stuck-worker watchdog's last look. */
  private oldestAtLastCheck: number | undefined;
  /** The worker running at that look: one started since has not had a whole interval yet. */
  private workerAtLastCheck: Worker | undefined;
  /** The watchdog said the current worker failed: its exit is not said again. */
  private stuckSaid = false;
  private watchdog: unknown;
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
      /** Routine points dropped here while no worker could take them (down, or lagging). */
      onDropped?: (points: number) => void;
      /** Routine points kept here while there is no worker, and unconfirmed by one that runs (default MAX_WAITING_ROUTINE). */
      maxWaitingRoutine?: number;
      /** A ticket gave up waiting for the worker (see MAX_ACK_WAIT_MS). */
      onTicketTimedOut?: () => void;
      /**
       * The stuck-worker watchdog's timers. Real time by default, whatever `clock` is: the worker
       * is a real thread, and a gateway clock made to leap (tests, a clock set forward) must not
       * make a busy worker look stuck.
       */
      watchdogClock?: Clock;
      /** Default STUCK_AFTER_MS. */
      stuckAfterMs?: number;
    },
  ) {}

  /** Starts the worker; fails when it cannot open the outbox file. */
  async start(): Promise<void> {
    try {
      await this.spawn();
    } catch (err) {
      this.opts.onFailure(err as Error);
      throw err;
    }
    this.schedule();
    this.watch();
  }

  add(cls: PointClass, line: string): void {
    const list = this.pending[cls];
    list.push(line);
    if (!this.worker || this.lagging) {
      // Trimmed at each hand-over (every handOverMs) and here only at twice the cap: cutting one
      // point off the front of 120,000 per point added would cost 20,000 array moves a second.
      if (list.length > 2 * this.maxWaiting) this.dropOldestWaiting();
      return;
    }
    if (list.length >= this.opts.handOverPoints) this.handOver();
  }

  private get maxWaiting(): number {
    return this.opts.maxWaitingRoutine ?? MAX_WAITING_ROUTINE;
  }

  /** Not while stopping: the worker then stores all that is left before it stops. */
  private get lagging(): boolean {
    return !this.stopping && this.unconfirmedRoutine >= this.maxWaiting;
  }

  /** With no worker: the oldest routine points beyond the cap go, counted. */
  private dropOldestWaiting(): void {
    const excess = this.pending.routine.length - this.maxWaiting;
    if (excess <= 0) return;
    this.pending.routine.splice(0, excess);
    this.opts.onDropped?.(excess);
  }

  /**
   * Resolves once every point added so far is committed in the outbox file (at most
   * MAX_ACK_WAIT_MS later when its worker is down): what a device's PUBACK waits for. Waiting
   * tickets make hand-overs as often as the worker commits them, one at a time (group commit),
   * instead of every handOverMs.
   */
  ackTicket(): Promise<void> {
    // Stopping: nothing will store what devices send now; left unanswered, they send it again to
    // the next gateway instance.
    if (this.stopping) return NEVER;
    if (this.nextTicket) return this.nextTicket.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    let settled = false;
    /** Of the timers set so far. */
    let waited = MAX_ACK_WAIT_MS;
    const expire = () => {
      // Stopping (the gateway shuts down, its broker next): nothing will store these points, and a
      // PUBACK now would tell the band they are safe. Left unanswered, the band sends them again
      // to the next gateway instance.
      if (settled || this.stopping) return;
      // A running worker may only be slow (InfluxDB, the card, a 2-core machine at 40,000 points
      // a second): devices wait for it, up to MAX_ACK_WAIT_RUNNING_MS, and their waiting slows
      // them down to its pace. The watchdog restarts one that is stuck.
      const more = this.worker ? Math.min(MAX_ACK_WAIT_MS, MAX_ACK_WAIT_RUNNING_MS - waited) : 0;
      if (more > 0) {
        waited += more;
        timer = this.opts.clock.setTimeout(expire, more);
        return;
      }
      settled = true;
      // Later devices get a ticket of their own, waited for and counted in turn.
      if (this.nextTicket === ticket) this.nextTicket = undefined;
      this.opts.onTicketTimedOut?.();
      resolve();
    };
    let timer = this.opts.clock.setTimeout(expire, MAX_ACK_WAIT_MS);
    const ticket = {
      promise,
      resolve: () => {
        if (settled) return;
        settled = true;
        this.opts.clock.clearTimeout(timer);
        resolve();
      },
    };
    this.nextTicket = ticket;
    this.handOverAfterTurn();
    return promise;
  }

  /** A hand-over in the next check phase, unless one is still being committed. */
  private handOverAfterTurn(): void {
    if (this.handOverSoon) return;
    this.handOverSoon = true;
    setImmediate(() => {
      this.handOverSoon = false;
      if (this.unconfirmed.size === 0) this.handOver(); // else: when that one is stored
    });
  }

  /** Hands everything collected to the worker now (kept here while there is none). */
  handOver(): void {
    if (!this.worker) {
      this.dropOldestWaiting();
      return;
    }
    const lagging = this.lagging;
    if (lagging) this.dropOldestWaiting();
    // Routine points held back are not stored by this hand-over: their ticket waits for a later one.
    const ticket = lagging && this.pending.routine.length > 0 ? undefined : this.nextTicket;
    if (ticket) this.nextTicket = undefined;
    const chunks = (['precious', 'routine'] as const)
      .filter((c) => this.pending[c].length > 0 && !(lagging && c === 'routine'))
      .map((c) => {
        const lines = this.pending[c];
        this.pending[c] = [];
        return { class: c, points: lines.length, lines: lines.join('\n') };
      });
    if (chunks.length === 0) {
      // Nothing new: the ticket waits for what is being committed, if anything.
      // The worker confirms in order: if any is unconfirmed, the last one posted is.
      if (ticket) this.bindTicket(this.unconfirmed.size > 0 ? this.handOvers : 0, ticket.resolve);
      return;
    }
    this.opts.onQueued(chunks.reduce((n, c) => n + c.points, 0));
    const message: Chunks = { type: 'chunks', seq: ++this.handOvers, chunks };
    this.unconfirmed.set(message.seq, message);
    this.unconfirmedRoutine += routinePoints(message);
    if (ticket) this.bindTicket(message.seq, ticket.resolve);
    this.worker.postMessage(message);
  }

  private bindTicket(seq: number, resolve: () => void): void {
    if (seq === 0) {
      resolve();
      return;
    }
    const earlier = this.tickets.get(seq);
    this.tickets.set(
      seq,
      earlier
        ? () => {
            earlier();
            resolve();
          }
        : resolve,
    );
  }

  /** Hand-over `seq` is stored: so is every one before it (the worker takes them in order). */
  private stored(seq: number): void {
    const message = this.unconfirmed.get(seq);
    if (message) this.unconfirmedRoutine -= routinePoints(message);
    this.unconfirmed.delete(seq);
    for (const [s, resolve] of this.tickets) {
      if (s > seq) break;
      this.tickets.delete(s);
      resolve();
    }
    if (this.unconfirmed.size === 0 && this.nextTicket && !this.handOverSoon) this.handOver();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.opts.clock.clearTimeout(this.timer);
    this.opts.clock.clearTimeout(this.restartTimer);
    this.opts.clock.clearTimeout(this.healthyTimer);
    (this.opts.watchdogClock ?? systemClock).clearTimeout(this.watchdog);
    this.timer = undefined;
    // One being started again would otherwise be taken as the worker after this stop, and keep
    // the outbox file open and the process alive.
    await this.starting?.terminate();
    const worker = this.worker;
    if (!worker) {
      const waiting = this.pending.routine.length + this.pending.precious.length;
      if (waiting > 0)
        this.opts.log.warn({ points: waiting }, 'outbox worker not running at stop: points lost');
      return; // their tickets are never answered (see ackTicket)
    }
    this.handOver();
    this.worker = undefined;
    const said = new Promise<void>((resolve) => {
      this.saidStopped = resolve;
    });
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    // What it stored before it stopped resolved its tickets; any left (it died first, or points
    // came after the last hand-over) are never answered: a PUBACK means stored.
    await Promise.race([said, this.exited]);
    // Its file is closed; a socket the InfluxDB client keeps open to a server that never
    // answered would keep the thread (and the gateway's stop) alive for ever.
    await worker.terminate();
  }

  /** Starts a worker; resolves at its first report (the outbox file is open). */
  private async spawn(): Promise<void> {
    const worker = new Worker(workerUrl(), { workerData: this.opts.worker });
    this.starting = worker;
    let lastError: Error | undefined;
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        if (this.starting === worker) this.starting = undefined;
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
      let adopted = false;
      worker.on('message', (m: FromWorker) => {
        this.onMessage(m);
        // Its first report makes it the worker, once: a report it sends after stop() let go of it
        // (the stats of the last hand-over) must not make a stopping outbox think it has a worker
        // again, whose empty hand-overs would then answer new tickets at once: PUBACKs for
        // telemetry that forwarding, already stopped, made no point of.
        if (m.type !== 'stats' || adopted || this.stopping) return;
        adopted = true;
        worker.off('error', failed).off('exit', early);
        this.starting = undefined;
        this.worker = worker;
        this.stuckSaid = false;
        // A timer, not the wall clock, which may be set back.
        this.healthyTimer = this.opts.clock.setTimeout(() => {
          this.restartDelayMs = RESTART_MIN_MS;
        }, HEALTHY_AFTER_MS);
        resolve();
      });
    });
  }

  private died(err: Error): void {
    this.worker = undefined;
    if (this.stopping) return;
    this.opts.clock.clearTimeout(this.healthyTimer);
    this.opts.log.error(
      { err, retryInMs: this.restartDelayMs },
      'outbox worker died; points wait here and it is started again',
    );
    if (!this.stuckSaid) this.opts.onFailure(err);
    this.restartLater();
  }

  private restartLater(): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_MAX_MS, delay * 2);
    this.restartTimer = this.opts.clock.setTimeout(() => {
      this.spawn().then(
        () => {
          if (this.stopping) return;
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

  /**
   * Every stuckAfterMs: a running worker whose oldest unconfirmed hand-over is the one that was
   * oldest at the last look has confirmed nothing for a whole interval, and goes. One started
   * since that look (after a restart its first hand-overs are the old ones, resent) is left alone.
   */
  private watch(): void {
    const clock = this.opts.watchdogClock ?? systemClock;
    const after = this.opts.stuckAfterMs ?? STUCK_AFTER_MS;
    this.watchdog = clock.setTimeout(() => {
      const worker = this.worker;
      const oldest = this.unconfirmed.keys().next().value;
      const stuck =
        worker !== undefined &&
        worker === this.workerAtLastCheck &&
        oldest !== undefined &&
        oldest === this.oldestAtLastCheck;
      this.oldestAtLastCheck = oldest;
      this.workerAtLastCheck = worker;
      if (stuck) {
        this.opts.log.error(
          { waiting: this.unconfirmed.size, stuckS: after / 1000 },
          'outbox worker confirmed nothing for a whole watchdog interval: terminating it, to start it again',
        );
        // Said now: a thread in a system call that never returns (a hung write on a failing card)
        // does not exit when terminated. Its exit, if it comes, is a death like any other (died →
        // restart, unconfirmed hand-overs resent).
        if (!this.stuckSaid) {
          this.stuckSaid = true;
          this.opts.onFailure(new Error(`the outbox worker confirmed nothing for ${after / 1000} s`));
        }
        void worker.terminate();
      }
      if (!this.stopping) this.watch();
    }, after);
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
        this.stored(m.seq);
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
