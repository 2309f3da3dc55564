// Waiting before trying again: shared by every sender that retries over a network (the InfluxDB
// outbox, the uplink, the webhook), so they back off alike and read `Retry-After` alike.

/**
 * An HTTP `Retry-After` (429 Too Many Requests, 503 while a server starts or compacts) as
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

/**
 * The exponential ceiling of the wait after the `failures`-th failure in a row (1, 2, …):
 * minMs, doubling each time, never above maxMs. Callers add their jitter below it.
 */
export function backoffCeilingMs(failures: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(Math.max(0, failures - 1), 30));
}
