import { createClock } from '@sinonjs/fake-timers';
import type { Clock } from '../../src/clock.js';

export interface FakeClock extends Clock {
  /** Runs every timer due within `ms` and moves time on. */
  tick(ms: number): void;
}

/** Fake time for the simulator's own timers; sockets keep real time. */
export function fakeClock(start = Date.UTC(2025, 0, 6, 9, 0, 0)): FakeClock {
  const fake = createClock(start);
  return {
    now: () => fake.now,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (handle) => fake.clearTimeout(handle as ReturnType<typeof fake.setTimeout>),
    tick: (ms) => {
      fake.tick(ms);
    },
  };
}
