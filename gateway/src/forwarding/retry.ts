// When the outbox writes again after a failed write.

/**
 * An HTTP `Retry-After` (429 Too Many Requests, 503 while InfluxDB starts or compacts) as
 * milliseconds from `now`: delay-seconds or an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP date names its day and month ("Mon, 23 Nov 2026 10:00:00 GMT"); "-5" is no date.
  const at = /[a-z]/i.test(v) ? Date.parse(v) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

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
  const ceiling = Math.min(o.retryMaxMs, o.retryMinMs * 2 ** Math.min(Math.max(0, o.failures - 1), 30));
  const backoff = ceiling / 2 + o.random * (ceiling / 2);
  return Math.max(backoff, Math.min(o.retryAfterMs ?? 0, RETRY_AFTER_CAP_MS));
}
