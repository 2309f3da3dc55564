/** The policy, in milliseconds; the defaults live in the config schema (`logins`). */
export function throttlePolicy(c: {
  windowS: number;
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  sourceLockAfter: number;
  loginLockAfter: number;
  lockS: number;
  maxLockS: number;
}): LoginThrottlePolicy {
  return {
    windowMs: c.windowS * 1000,
    freeFailures: c.freeFailures,
    baseDelayMs: c.firstDelayMs,
    maxDelayMs: c.maxDelayMs,
    sourceLockAfter: c.sourceLockAfter,
    loginLockAfter: c.loginLockAfter,
    lockMs: c.lockS * 1000,
    maxLockMs: c.maxLockS * 1000,
  };
}

/**
 * Slows down and then locks out password guessing, for every way in (MQTT now, HTTP logins
 * later). One address may carry many devices (NAT, a bridge), so nothing here refuses a login
 * that has not itself been failing:
 *
 * - A source's wrong answers come back more and more slowly (per address, capped).
 * - A login that keeps failing from one address is locked out there for a while (doubling each
 *   time, up to a cap); the other logins behind that address are not.
 * - A login that fails from many sources is locked, but only for the sources that have failed
 *   for it: a device or handset logging in correctly from its own address is never locked out by
 *   someone else guessing its password.
 * Memory is bounded: entries expire with the window and the tables are capped.
 */
export interface LoginThrottlePolicy {
  /** Failures are counted over this window. */
  windowMs: number;
  /** Failures from one source before its answers are delayed. */
  freeFailures: number;
  /** The first delay; it doubles with each further failure, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures for one login from one source in the window that lock that login out there. */
  sourceLockAfter: number;
  /** Failures for one login (all sources) in the window that lock it for failing sources. */
  loginLockAfter: number;
  /** The first lockout; it doubles with each further lockout of the same source, up to maxLockMs. */
  lockMs: number;
  maxLockMs: number;
}

const pairKey = (source: string, login: string) => `${source}\n${login}`;

interface Counter {
  failures: number[];
  lockedUntil: number;
  lockouts: number;
  /** Logins this source failed for (at most a few kept, for the log). */
  logins: Set<string>;
}

export type Verdict =
  | { allowed: true; delayMs: number }
  | { allowed: false; reason: string; retryInMs: number };

const MAX_ENTRIES = 10_000;

export class LoginThrottle {
  /** Per address: failures slow its refusals down; kept for the log. */
  private readonly sources = new Map<string, Counter>();
  /** Per address and login: what locks out. */
  private readonly pairs = new Map<string, Counter>();
  private readonly logins = new Map<string, Counter>();

  constructor(
    private readonly now: () => number,
    private readonly policy: LoginThrottlePolicy,
    /** Logins never locked per login (the gateway's own). */
    private readonly exempt: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * Before checking a password: may this source try this login now? Only a login that this
   * source has been failing at is ever refused: behind a NAT or on a shared bridge one address
   * carries many devices, and a band with an old secret must not lock its neighbours out.
   */
  check(source: string, login: string): Verdict {
    const now = this.now();
    const pair = this.entry(this.pairs, pairKey(source, login), now);
    if (pair && pair.lockedUntil > now) {
      return {
        allowed: false,
        reason: `too many failed logins for "${login}" from ${source}`,
        retryInMs: pair.lockedUntil - now,
      };
    }
    const lg = this.exempt.has(login) ? undefined : this.entry(this.logins, login, now);
    if (lg && lg.lockedUntil > now && pair) {
      return {
        allowed: false,
        reason: `too many failed logins for "${login}"`,
        retryInMs: lg.lockedUntil - now,
      };
    }
    return { allowed: true, delayMs: 0 };
  }

  /**
   * A wrong password: returns how long to hold back the refusal (growing with the address's
   * failures, so guessing many logins from one place gets slow), and whether a lockout began.
   */
  failed(source: string, login: string): { delayMs: number; lockedOut: boolean; failures: number } {
    const now = this.now();
    const src = this.touch(this.sources, source, now);
    src.failures.push(now);
    if (src.logins.size < 5) src.logins.add(login);
    let lockedOut = false;
    const pair = this.touch(this.pairs, pairKey(source, login), now);
    pair.failures.push(now);
    if (pair.failures.length >= this.policy.sourceLockAfter) {
      pair.lockouts++;
      pair.lockedUntil = now + Math.min(this.policy.lockMs * 2 ** (pair.lockouts - 1), this.policy.maxLockMs);
      pair.failures = [];
      lockedOut = true;
    }
    if (!this.exempt.has(login)) {
      const lg = this.touch(this.logins, login, now);
      lg.failures.push(now);
      if (lg.failures.length >= this.policy.loginLockAfter) {
        lg.lockouts++;
        lg.lockedUntil = now + this.policy.lockMs;
        lg.failures = [];
        lockedOut = true;
      }
    }
    return { delayMs: this.delayFor(src.failures.length), lockedOut, failures: src.failures.length };
  }

  /** A correct login clears that login's record at this address, unless it is locked. */
  succeeded(source: string, login: string): void {
    const key = pairKey(source, login);
    const pair = this.pairs.get(key);
    if (pair && pair.lockedUntil <= this.now()) this.pairs.delete(key);
  }

  /** The logins a source failed for, for the log. */
  loginsTriedFrom(source: string): string[] {
    return [...(this.sources.get(source)?.logins ?? [])];
  }

  private delayFor(failures: number): number {
    if (failures < this.policy.freeFailures) return 0;
    const doublings = failures - this.policy.freeFailures;
    return Math.min(this.policy.baseDelayMs * 2 ** Math.min(doublings, 20), this.policy.maxDelayMs);
  }

  /** The live entry for `key`, with failures outside the window dropped; undefined if none. */
  private entry(map: Map<string, Counter>, key: string, now: number): Counter | undefined {
    const e = map.get(key);
    if (!e) return undefined;
    e.failures = e.failures.filter((t) => now - t < this.policy.windowMs);
    if (e.failures.length === 0 && e.lockedUntil <= now && now - e.lockedUntil > this.policy.windowMs) {
      map.delete(key);
      return undefined;
    }
    return e;
  }

  private touch(map: Map<string, Counter>, key: string, now: number): Counter {
    const existing = this.entry(map, key, now);
    if (existing) return existing;
    if (map.size >= MAX_ENTRIES) this.prune(map, now);
    const e: Counter = { failures: [], lockedUntil: 0, lockouts: 0, logins: new Set() };
    map.set(key, e);
    return e;
  }

  private prune(map: Map<string, Counter>, now: number): void {
    for (const key of [...map.keys()]) this.entry(map, key, now);
    // Still full (a flood of distinct addresses): forget the oldest half rather than grow.
    if (map.size >= MAX_ENTRIES) for (const key of [...map.keys()].slice(0, MAX_ENTRIES / 2)) map.delete(key);
  }
}
