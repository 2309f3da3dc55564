/**
 * Work deferred to the check phase of the event loop (setImmediate) in two lanes, so that what an
 * alarm needs runs before bulk work queued in the same turn (DIN VDE 0834: calls have absolute
 * priority). Node runs immediates in the order they were set: the telemetry drain, set by the
 * first telemetry packet of a turn, would otherwise run before the alarm journal's commit set by
 * an alarm read later in that turn, and the alarm's PUBACK and dispatch would wait behind
 * thousands of telemetry messages (measured: most of the alarm p99 at 20,000 msg/s).
 */
const lateTasks = new Map<() => void, NodeJS.Immediate>();

function setLate(task: () => void): void {
  lateTasks.set(
    task,
    setImmediate(() => {
      lateTasks.delete(task);
      task();
    }),
  );
}

/**
 * Runs `task` in the next check phase after every `soonFirst` task of that phase, once however
 * often it is asked for before it runs.
 */
export function soonLast(task: () => void): void {
  if (!lateTasks.has(task)) setLate(task);
}

/**
 * Runs `task` in the next check phase, before the `soonLast` tasks waiting for it. Each callback
 * is an immediate of its own, so the promises `task` settles (an alarm's PUBACK and dispatch) run
 * before the late tasks start.
 */
export function soonFirst(task: () => void): void {
  setImmediate(task);
  for (const [late, handle] of lateTasks) {
    clearImmediate(handle);
    setLate(late);
  }
}
