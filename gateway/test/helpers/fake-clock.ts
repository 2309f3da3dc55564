import FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../src/core/clock.js';

/**
 * A fake clock for the gateway only (not installed globally): escalation timers follow it,
 * while sockets, the broker and SQLite keep real time.
 */
export function fakeClock(start = Date.UTC(2026, 10, 23, 10, 0, 0)) {
  const fake = FakeTimers.createClock(start);
  // Pending timers by handle, with their order of creation and due time (for whileTicking).
  const pending = new Map<number, { seq: number; at: number; ms: number }>();
  let seq = 0;
  const clock: Clock = {
    now: () => fake.now,
    setTimeout: (fn, ms) => {
      const handle = fake.setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms) as unknown as number;
      pending.set(handle, { seq: ++seq, at: fake.now + Math.max(0, ms), ms });
      return handle;
    },
    clearTimeout: (h) => {
      pending.delete(h as number);
      fake.clearTimeout(h as number);
    },
  };
  // Time moves only after the messages already read are handled: telemetry and heartbeats are
  // handled in the event loop's check phase (see mqtt/bulk-queue.ts), after their PUBACK and
  // after the turn's alarms.
  const tick = async (ms: number) => {
    await settled();
    return fake.tickAsync(ms);
  };
  /**
   * `p`, for an answer the gateway holds back on its clock (a refused login): while it is pending,
   * the clock moves to each timer of at most `upToMs` set since the call (a hold-back; the
   * default is the longest login hold-back), and only then: never while real work such as a
   * password hash is under way, nor to the gateway's longer periodic timers.
   */
  const whileTicking = async <T>(p: Promise<T>, upToMs = 8000): Promise<T> => {
    const since = seq;
    let done = false;
    const watched = p.finally(() => {
      done = true;
    });
    for (await settled(); !done; await settled()) {
      const due = [...pending.values()].filter((t) => t.seq > since && t.ms <= upToMs).map((t) => t.at);
      if (due.length > 0) await tick(Math.max(0, Math.min(...due) - fake.now));
    }
    return watched;
  };
  return { clock, tick, settled, whileTicking, fake };
}

/**
 * Lets the event loop handle what it has read: three check phases, as the bulk queue drains in the
 * next one, or in the one after when an alarm was handled first (core/check-phase.ts).
 */
export async function settled(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}
