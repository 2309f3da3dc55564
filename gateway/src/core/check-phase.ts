/**
 * Work deferred to the check phase of the event loop (setImmediate) in two lanes, so that what an
 * alarm needs runs before bulk work queued in the same turn (DIN VDE 0834: calls have absolute
 * priority). Node runs immediates in the order they were set: the telemetry drain, set by the
 * first telemetry packet of a turn, would otherwise run before the alarm journal's commit set by
 * an alarm read later in that turn, and the alarm's PUBACK and dispatch would wait behind
 * thousands of telemetry messages (measured: most of the alarm p99 at 20,000 msg/s).
 */
interface Late {
  handle: NodeJS.Immediate;
  /** firstRuns when it was asked for. */
  since: number;
  /** Already moved back once behind alarm work: it is not moved again, so it cannot starve. */
  yielded: boolean;
}

const lateTasks = new Map<() => void, Late>();
/** How many first-lane tasks have run. */
let firstRuns = 0;

function setLate(task: () => void, since: number, yielded: boolean): void {
  const handle = setImmediate(() => {
    // Alarm work that ran meanwhile set immediates of its own (aedes writes a dispatch to a
    // handset from one): late work lets them go first, in the next check phase.
    if (firstRuns !== since && !yielded) {
      setLate(task, firstRuns, true);
      return;
    }
    lateTasks.delete(task);
    task();
  });
  lateTasks.set(task, { handle, since, yielded });
}

/**
 * Runs `task` in a coming check phase after every `soonFirst` task of that phase and what those
 * set for later, once however often it is asked for before it runs: at the latest in the check
 * phase after the next one.
 */
export function soonLast(task: () => void): void {
  if (!lateTasks.has(task)) setLate(task, firstRuns, false);
}

/**
 * Runs `task` in the next check phase, before the `soonLast` tasks waiting for it. Each callback
 * is an immediate of its own, so the promises `task` settles (an alarm's PUBACK and dispatch) run
 * before the late tasks start.
 */
export function soonFirst(task: () => void): void {
  setImmediate(() => {
    firstRuns++;
    task();
  });
  for (const [late, { handle, since, yielded }] of lateTasks) {
    clearImmediate(handle);
    setLate(late, since, yielded);
  }
}
