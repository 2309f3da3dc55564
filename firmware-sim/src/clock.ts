/**
 * Time, injected — the same shape as the gateway's `Clock`, declared here so simulated devices do
 * not depend on the gateway package. Device timestamps (`ts`), heartbeats and handset behaviour
 * delays all go through it, so tests drive them with a fake clock (@sinonjs/fake-timers) while the
 * MQTT sockets keep using real time.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
