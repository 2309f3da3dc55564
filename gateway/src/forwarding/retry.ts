// When the outbox writes again after a failed write.
import { backoffCeilingMs } from '../core/retry.js';

/** The longest `Retry-After` honoured: an InfluxDB asking for hours is asked again sooner. */
const RETRY_AFTER_CAP_MS = 10 * 60_000;

/**
 * Exponential backoff with jitter in its upper half, and never sooner than the `Retry-After`
 * InfluxDB asked for (429, 503), up to ten minutes. `random` is in [0, 1).
 */
export function waitAfterFailure(o: {
  failures: number;
  retryMinMs: number;
  retryMaxMs: number;
  retryAfterMs: number | undefined;
  random: number;
}): number {
  const ceiling = backoffCeilingMs(o.failures, o.retryMinMs, o.retryMaxMs);
  const backoff = ceiling / 2 + o.random * (ceiling / 2);
  return Math.max(backoff, Math.min(o.retryAfterMs ?? 0, RETRY_AFTER_CAP_MS));
}
