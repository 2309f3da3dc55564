import type { NewChunk } from './outbox-store.js';
import type { TargetOptions } from './targets.js';

/** What the outbox worker is started with. */
export interface OutboxWorkerOptions {
  file: string;
  target: TargetOptions;
  /** Points per write request (InfluxDB suggests about 5,000 lines). */
  batchPoints: number;
  /** Payload bytes the outbox may hold before it drops the oldest routine telemetry. */
  maxBytes: number;
  /** Free space to leave on the outbox's disk (the alarm database's too), dropping as at maxBytes. */
  keepFreeBytes: number;
  /** Backoff after a failed write: from minMs, doubling, at most maxMs, with jitter. */
  retryMinMs: number;
  retryMaxMs: number;
  /** Consecutive failed writes that open the circuit breaker. */
  breakerFailures: number;
  /**
   * Pseudonymous keys of the residents who do not consent to vitals forwarding now: their vitals
   * still in the outbox (queued before the site file said so) are not sent.
   */
  noConsent: string[];
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Totals since the worker started, and the current backlog. */
export interface OutboxStats {
  backlogPoints: number;
  backlogBytes: number;
  sent: number;
  /** Vitals not sent because their resident no longer consents. */
  withheld: number;
  dropped: number;
  deadLettered: number;
  writeErrors: number;
  breaker: BreakerState;
  /** The last transient write error, while the breaker is not closed. */
  lastError?: string;
}

/** `seq` numbers a hand-over; the worker confirms it with `stored` once it is committed (or dropped). */
export type ToWorker = { type: 'chunks'; seq: number; chunks: NewChunk[] } | { type: 'stop' };

export type FromWorker =
  | { type: 'stats'; stats: OutboxStats }
  | { type: 'stored'; seq: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; data: Record<string, unknown> }
  | { type: 'stopped' };
