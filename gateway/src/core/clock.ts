/**
 * Time, injected. Production uses the system clock; tests pass a fake clock
 * (@sinonjs/fake-timers `createClock`) and advance it, so timeouts are tested without sleeping
 * while sockets keep using real time.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
