import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, OutboxStats, OutboxWorkerOptions, ToWorker } from './outbox-protocol.js';
import { OutboxStore } from './outbox-store.js';
import { waitAfterFailure } from './retry.js';
import { openTarget, type Target } from './targets.js';

const DROP_LOG_INTERVAL_MS = 60_000;
/**
 * Devices wait for their PUBACK until their points are stored, so hand-overs come as often as
 * this thread commits them: a few points each. A write to InfluxDB waits this long for more
 * (unless a full batch is there), and the stats and the disk check are not redone for every
 * hand-over: without that, 300 msg/s cost a third of a core in HTTP requests and statfs calls.
 */
const LINGER_MS = 100;
const REPORT_EVERY_MS = 100;
const TRIM_CHECK_EVERY_MS = 250;
/** Intervals are measured on a monotonic clock: a Pi's wall clock may be set back by hours. */
const since = (at: number) => performance.now() - at;

/**
 * The outbox's worker thread: owns the outbox SQLite file and the HTTP writes, so neither a commit
 * nor gzip nor a slow InfluxDB ever takes a turn from the alarm path on the main thread. It uses
 * real time (its backoff is not the gateway's business); tests keep it short through the config.
 */
class OutboxPump {
  private readonly store: OutboxStore;
  private readonly target: Target;
  private readonly stats: Omit<OutboxStats, 'backlogPoints' | 'backlogBytes'> = {
    sent: 0,
    withheld: 0,
    dropped: 0,
    deadLettered: 0,
    writeErrors: 0,
    breaker: 'closed',
  };
  private failures = 0;
  /** What InfluxDB last asked for with `Retry-After`, ms. */
  private retryAfterMs: number | undefined;
  private stopping = false;
  private busy: number[] = [];
  private wake: (() => void) | undefined;
  private dropLoggedAt = -Infinity;
  private lastSendAt = -Infinity;
  private reportedAt = -Infinity;
  private reportTimer: NodeJS.Timeout | undefined;
  private trimmedAt = -Infinity;
  /** What the outbox could hold at the last trim: more than that trims at once. */
  private lastLimitBytes = Number.POSITIVE_INFINITY;
  private unloggedDrops = 0;
  private readonly done: Promise<void>;
  /** A vitals line of a resident who does not consent (tags are sorted: device_kind, resident, …). */
  private readonly noConsent: RegExp | undefined;

  constructor(
    private readonly o: OutboxWorkerOptions,
    private readonly post: (m: FromWorker) => void,
  ) {
    this.noConsent =
      o.noConsent.length > 0
        ? new RegExp(`^wristband_vitals,.*,resident=(${o.noConsent.join('|')})[, ]`)
        : undefined;
    this.store = new OutboxStore(o.file);
    this.target = openTarget(o.target);
    if (this.store.points > 0)
      this.log('info', 'outbox opened with a backlog; sending it', { points: this.store.points });
    this.report();
    this.done = this.run().catch((err: unknown) => {
      throw plainError(err);
    });
  }

  add(m: Extract<ToWorker, { type: 'chunks' }>): void {
    try {
      this.store.add(m.chunks, Date.now());
    } catch (err) {
      // A full or failing disk: these points are lost, loudly; the gateway carries on.
      const points = m.chunks.reduce((n, c) => n + c.points, 0);
      this.stats.dropped += points;
      this.log('error', 'outbox cannot store points; they are lost', {
        points,
        error: (err as Error).message,
      });
      this.report();
      return;
    }
    if (this.store.bytes > this.lastLimitBytes || since(this.trimmedAt) >= TRIM_CHECK_EVERY_MS) this.trim();
    this.report();
    this.wake?.();
  }

  /**
   * What the outbox may hold now: maxBytes, less what the disk lacks of keepFreeBytes (the file's
   * own free pages count as free: a deleted chunk frees pages, not disk space).
   */
  private limit(): number {
    let free: number;
    try {
      const { bavail, bsize } = statfsSync(dirname(this.o.file));
      free = bavail * bsize + this.store.reusableBytes();
    } catch {
      return this.o.maxBytes;
    }
    const short = this.o.keepFreeBytes - free;
    return short > 0 ? Math.max(0, Math.min(this.o.maxBytes, this.store.bytes - short)) : this.o.maxBytes;
  }

  private trim(): void {
    const limitBytes = this.limit();
    this.trimmedAt = performance.now();
    this.lastLimitBytes = limitBytes;
    const dropped = this.store.trim(limitBytes, this.busy);
    if (dropped === 0) return;
    this.stats.dropped += dropped;
    // A long outage trims at every hand-over: logged at once, then at most once a minute.
    this.unloggedDrops += dropped;
    const now = performance.now();
    if (now - this.dropLoggedAt < DROP_LOG_INTERVAL_MS) return;
    this.log('warn', 'outbox full: dropped the oldest routine telemetry', {
      points: this.unloggedDrops,
      droppedSinceStart: this.stats.dropped,
      limitBytes,
    });
    this.dropLoggedAt = now;
    this.unloggedDrops = 0;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
    this.store.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const sinceLast = since(this.lastSendAt);
      if (
        this.stats.breaker === 'closed' &&
        this.store.points < this.o.batchPoints &&
        sinceLast < LINGER_MS
      ) {
        await this.pause(LINGER_MS - sinceLast);
        continue;
      }
      // A half-open breaker probes with one chunk before the backlog is sent in full.
      const chunks = this.store.next(this.stats.breaker === 'closed' ? this.o.batchPoints : 1);
      if (chunks.length === 0) {
        await this.pause(undefined);
        continue;
      }
      this.busy = chunks.map((c) => c.id);
      this.lastSendAt = performance.now();
      let failed = false;
      try {
        const dead: { line: string; error: string }[] = [];
        const { lines, withheld } = this.consented(chunks.map((c) => c.lines).join('\n'));
        if (lines !== '') await this.send(lines, dead);
        this.store.confirm(this.busy, dead, Date.now());
        this.stats.sent += chunks.reduce((n, c) => n + c.points, 0) - dead.length - withheld;
        this.stats.withheld += withheld;
        this.stats.deadLettered += dead.length;
        this.succeeded();
      } catch (err) {
        failed = true;
        this.failed(err as Error);
      } finally {
        this.busy = [];
      }
      // Trimming that waited for this write happens now, before any backoff.
      this.trim();
      this.report();
      if (failed) await this.pause(this.backoff());
    }
  }

  /** The lines without the vitals of residents who no longer consent. */
  private consented(lines: string): { lines: string; withheld: number } {
    const noConsent = this.noConsent;
    if (!noConsent || !lines.includes('wristband_vitals,')) return { lines, withheld: 0 };
    const all = lines.split('\n');
    const kept = all.filter((l) => !noConsent.test(l));
    return { lines: kept.join('\n'), withheld: all.length - kept.length };
  }

  /**
   * Writes the lines; a body InfluxDB refuses (malformed, or too large) is split in halves until
   * the bad lines are alone, and those are parked, so one bad point never blocks the rest. (InfluxDB 1.x
   * writes the good points of a refused body; sending them again overwrites them, as their
   * timestamps are fixed.)
   */
  private async send(lines: string, dead: { line: string; error: string }[]): Promise<void> {
    const result = await this.target.write(lines);
    if (result.ok) return;
    const all = lines.split('\n');
    if (all.length === 1) {
      this.log('error', 'InfluxDB refused a point; parked in the dead letters', {
        line: lines,
        error: result.refused,
      });
      dead.push({ line: lines, error: result.refused });
      return;
    }
    const half = all.length >> 1;
    await this.send(all.slice(0, half).join('\n'), dead);
    await this.send(all.slice(half).join('\n'), dead);
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.stats.breaker !== 'closed') this.log('info', 'InfluxDB writes again: breaker closed', {});
    this.stats.breaker = 'closed';
    delete this.stats.lastError;
  }

  private failed(err: Error & { retryAfterMs?: number }): void {
    this.failures++;
    this.retryAfterMs = err.retryAfterMs;
    this.stats.writeErrors++;
    this.stats.lastError = err.message;
    if (this.stats.breaker === 'closed' && this.failures >= this.o.breakerFailures) {
      this.log('error', 'InfluxDB writes fail: breaker open, points wait in the outbox', {
        error: err.message,
        failures: this.failures,
      });
    }
    if (this.failures >= this.o.breakerFailures) this.stats.breaker = 'open';
  }

  /** The wait before the next write; the breaker half-opens after it. */
  private backoff(): number {
    return waitAfterFailure({
      failures: this.failures,
      retryMinMs: this.o.retryMinMs,
      retryMaxMs: this.o.retryMaxMs,
      retryAfterMs: this.retryAfterMs,
      random: Math.random(),
    });
  }

  private async pause(ms: number | undefined): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wake = () => {
        // New points do not cut a backoff short; only stopping does.
        if (timer !== undefined && !this.stopping) return;
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    if (this.stats.breaker === 'open') this.stats.breaker = 'half-open';
  }

  /** Posts the stats, at most every REPORT_EVERY_MS (the latest ones follow the wait). */
  private report(): void {
    const wait = REPORT_EVERY_MS - since(this.reportedAt);
    if (wait > 0) {
      if (!this.reportTimer) {
        this.reportTimer = setTimeout(() => {
          this.reportTimer = undefined;
          this.report();
        }, wait);
        this.reportTimer.unref();
      }
      return;
    }
    this.reportedAt = performance.now();
    this.post({
      type: 'stats',
      stats: { ...this.stats, backlogPoints: this.store.points, backlogBytes: this.store.bytes },
    });
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, data: Record<string, unknown>): void {
    this.post({ type: 'log', level, msg, data });
  }
}

/**
 * An error that kills this worker, as one the main thread can read: the structured clone that
 * carries it there keeps only the `code` of SQLite's errors, not their message.
 */
function plainError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const code = (err as { code?: unknown }).code;
  return new Error(
    typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message,
  );
}

const port = parentPort!;
let pump: OutboxPump;
try {
  pump = new OutboxPump(workerData as OutboxWorkerOptions, (m) => port.postMessage(m));
} catch (err) {
  throw plainError(err);
}
port.on('message', (m: ToWorker) => {
  try {
    switch (m.type) {
      case 'chunks':
        pump.add(m);
        port.postMessage({ type: 'stored', seq: m.seq } satisfies FromWorker);
        return;
      case 'stop':
        void pump.stop().then(() => {
          port.postMessage({ type: 'stopped' } satisfies FromWorker);
          port.close();
        });
        return;
    }
  } catch (err) {
    throw plainError(err);
  }
});
