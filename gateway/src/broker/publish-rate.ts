/**
 * A token bucket per connection: `perSecond` messages a second on average, bursts of up to
 * `burst`. A wristband sends a few messages a second; a client far above that is broken or
 * hostile, and must not take the event loop that also carries everyone's alarms.
 */
export class PublishRate {
  private readonly buckets = new WeakMap<object, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `client`; false when its bucket is empty. */
  take(client: object): boolean {
    const now = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: now };
    // Never negative: a wall clock stepped back (NTP) must not empty every bucket at once.
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(client, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Milliseconds until `client` has a token again (0 when it has one now). */
  waitMs(client: object): number {
    const b = this.buckets.get(client);
    if (!b) return 0;
    const tokens = Math.min(this.burst, b.tokens + (Math.max(0, this.now() - b.at) / 1000) * this.perSecond);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / this.perSecond);
  }
}
