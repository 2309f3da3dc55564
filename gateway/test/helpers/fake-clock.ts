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
  // Time moves only after the messages already read are handled: telemetry and heartbeats are
  // handled in the event loop's check phase (see mqtt/bulk-queue.ts), after their PUBACK and
  // after the turn's alarms.
  const tick = async (ms: number) => {
    await settled();
    return fake.tickAsync(ms);
  };
  return { clock, tick, settled, fake };
}

/**
 * Lets the event loop handle what it has read: three check phases, as the bulk queue drains in the
 * next one, or in the one after when an alarm was handled first (core/check-phase.ts).
 */
export async function settled(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}
