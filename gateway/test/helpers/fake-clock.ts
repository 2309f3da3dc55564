import FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../src/core/clock.js';

/**
 * A fake clock for the gateway only (not installed globally): escalation timers follow it,
 * while sockets, the broker and SQLite keep real time.
 */
export function fakeClock(start = Date.UTC(2026, 10, 23, 10, 0, 0)) {
  const fake = FakeTimers.createClock(start);
  const clock: Clock = {
    now: () => fake.now,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (h) => fake.clearTimeout(h as number),
  };
  return { clock, tick: (ms: number) => fake.tickAsync(ms), fake };
}
