import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/**
 * Logs a repeated problem once per key per interval, then how many were suppressed, so that one
 * misbehaving device sending garbage ten times a second cannot flood the log (or the SD card).
 */
export class RateLimitedLog {
  private readonly seen = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.clock.now();
    const entry = this.seen.get(key);
    if (entry && now < entry.until) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.log.warn(suppressed > 0 ? { ...fields, suppressedSinceLast: suppressed } : fields, msg);
    this.seen.set(key, { until: now + this.intervalMs, suppressed: 0 });
    if (this.seen.size > 10_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [k, v] of this.seen) if (v.until <= now) this.seen.delete(k);
  }
}
