import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { backoffCeilingMs } from '../core/retry.js';
import type { WebhookOutcome } from './events.js';
import { type AttemptResult, postDelivery } from './post.js';
import type { WebhookDelivery, WebhookQueue } from './queue.js';

/** The first wait after a failed attempt is up to this; it doubles per attempt… */
export const BACKOFF_MIN_MS = 1000;
/** …up to this; a `Retry-After` is honoured up to this too, so no delivery waits longer. */
export const BACKOFF_MAX_MS = 5 * 60_000;
/** A step that failed to read or write the table is tried again after this. */
const STORAGE_RETRY_MS = 5000;

export interface WebhookSenderOptions {
  queue: WebhookQueue;
  clock: Clock;
  log: Logger;
  url: string;
  secret: string;
  timeoutMs: number;
  maxAttempts: number;
  /** Each outcome, once it is committed to the table. */
  onOutcome: (o: WebhookOutcome) => void;
  /** In [0, 1): the jitter (Math.random unless a test fixes it). */
  random?: () => number;
}

/**
 * Sends the queue's pending deliveries one at a time, the earliest due first, each attempt
 * counted in the table before it goes, and its outcome committed before it is told. One timer,
 * on the injected clock, for the next delivery due; `kick()` after a delivery is queued.
 *
 * One at a time keeps a paging system's view in order and a failing endpoint from being hit by
 * a burst; a new delivery is due at once and goes before the ones waiting to retry.
 */
export class WebhookSender {
  private timer: unknown;
  private inFlight: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopped = true;
  /** A storage failure paused sending until its retry timer. */
  private waitingForStorage = false;

  constructor(private readonly o: WebhookSenderOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Something was queued: send it now unless an attempt is under way (it is next then). */
  kick(): void {
    this.schedule();
  }

  /** Ends the attempt in flight (it stays pending, counted, and goes again after a restart). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    this.abort.abort();
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped || this.inFlight || this.waitingForStorage) return;
    this.o.clock.clearTimeout(this.timer);
    let next: number | undefined;
    try {
      next = this.o.queue.nextAt();
    } catch (err) {
      this.storageFailed(err);
      return;
    }
    if (next === undefined) return;
    // Capped: after a step of the clock back, a delivery set far ahead is due (see queue.due).
    const wait = Math.min(Math.max(0, next - this.o.clock.now()), BACKOFF_MAX_MS);
    this.timer = this.o.clock.setTimeout(() => this.sendNext(), wait);
  }

  private sendNext(): void {
    if (this.stopped || this.inFlight) return;
    let d: WebhookDelivery | undefined;
    let attempt: number;
    try {
      d = this.o.queue.due(this.o.clock.now(), BACKOFF_MAX_MS);
      if (!d) {
        this.schedule();
        return;
      }
      attempt = this.o.queue.attempting(d.id);
    } catch (err) {
      this.storageFailed(err);
      return;
    }
    const delivery = d;
    this.inFlight = postDelivery({
      url: this.o.url,
      secret: this.o.secret,
      clock: this.o.clock,
      timeoutMs: this.o.timeoutMs,
      delivery,
      attempt,
      signal: this.abort.signal,
    })
      .then((result) => {
        // Stopped during the attempt: it stays pending as counted; the next start sends it again.
        if (!this.stopped) this.record(delivery, attempt, result);
      })
      .catch((err: unknown) => this.o.log.error({ err }, 'webhook outcome could not be told'))
      .finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
  }

  private record(d: WebhookDelivery, attempt: number, r: AttemptResult): void {
    const { queue, clock } = this.o;
    const now = clock.now();
    const told = { deliveryId: d.id, alertId: d.alertId, event: d.event, attempt, at: now };
    const status = r.status;
    let outcome: WebhookOutcome;
    try {
      if (r.outcome === 'delivered') {
        queue.delivered(d.id, now, r.status);
        outcome = { ...told, outcome: 'sent', status: r.status };
      } else if (r.outcome === 'permanent' || attempt >= this.o.maxAttempts) {
        const error =
          r.outcome === 'permanent'
            ? `${r.error} (refused for good)`
            : `${r.error}; gave up after ${attempt} attempts`;
        queue.dead(d.id, now, status, error);
        outcome = { ...told, outcome: 'dead', error, ...(status === undefined ? {} : { status }) };
      } else {
        const nextAttemptAt = now + this.waitAfter(attempt, r.retryAfterMs);
        queue.retryAt(d.id, nextAttemptAt, status, r.error);
        outcome = {
          ...told,
          outcome: 'failed',
          error: r.error,
          nextAttemptAt,
          ...(status === undefined ? {} : { status }),
        };
      }
    } catch (err) {
      // Not recorded: the delivery stays pending and goes again (same id) once storage answers.
      this.storageFailed(err);
      return;
    }
    this.o.onOutcome(outcome);
  }

  /** Full jitter under the exponential ceiling, never sooner than a `Retry-After` (both capped). */
  private waitAfter(attempt: number, retryAfterMs: number | undefined): number {
    const ceiling = backoffCeilingMs(attempt, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
    const jittered = Math.floor((this.o.random ?? Math.random)() * ceiling);
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, BACKOFF_MAX_MS));
  }

  private storageFailed(err: unknown): void {
    if (this.stopped) return;
    this.o.log.error({ err }, 'webhook table could not be read or written; trying again in 5 s');
    this.waitingForStorage = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = this.o.clock.setTimeout(() => {
      this.waitingForStorage = false;
      this.sendNext();
    }, STORAGE_RETRY_MS);
  }
}
