/**
 * Time, injected. Everything that waits or stamps time (gateway escalation, device timestamps,
 * heartbeats, handset behaviour) takes a Clock; production passes the system clock, tests a fake
 * one (@sinonjs/fake-timers `createClock`) that they advance, so timeouts are tested without
 * sleeping while sockets keep using real time. Shared here by the gateway and the simulators.
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
