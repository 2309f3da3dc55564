import type { WristbandTelemetry } from '@careedge/edge';

/**
 * Input hygiene shared by the activity kinds: duplicates dropped, order and clock steps noticed,
 * and a "sustained" detector that tolerates short dips. Plain JSON, so it lives in a kind's state.
 */

/** Readings kept to recognise a redelivered one (QoS 1 repeats arrive close together). */
const RECENT = 8;
/** A reading this much older than the last one is not "late" but a clock stepped back. */
export const CLOCK_STEP_BACK_MS = 5 * 60_000;

export interface InputGuard {
  /** Latest gateway time seen. */
  lastAt: number | null;
  /** `seq:ts` of the last readings (a reboot restarts seq, but not ts). */
  recent: string[];
}

export const newGuard = (): InputGuard => ({ lastAt: null, recent: [] });

export type Admission = 'new' | 'duplicate' | 'clock-stepped-back';

/**
 * Whether a reading is new. A reading far older than the last one means the gateway clock
 * stepped back (or a very stale delivery): the caller resets its short windows, which can only
 * delay an alert, never invent one.
 */
export function admit(guard: InputGuard, at: number, message: WristbandTelemetry): [InputGuard, Admission] {
  const key = `${message.seq}:${message.ts}`;
  if (guard.recent.includes(key)) return [guard, 'duplicate'];
  const recent = [...guard.recent.slice(1 - RECENT), key];
  if (guard.lastAt !== null && at < guard.lastAt - CLOCK_STEP_BACK_MS)
    return [{ lastAt: at, recent }, 'clock-stepped-back'];
  return [{ lastAt: Math.max(at, guard.lastAt ?? at), recent }, 'new'];
}

/**
 * A run of readings above a level, allowing dips shorter than `dipMs` (one slow reading during a
 * walk), broken by a longer dip or a data gap. Plain JSON.
 */
export interface Run {
  since: number | null;
  lastHighAt: number | null;
}

export const newRun = (): Run => ({ since: null, lastHighAt: null });

export function extendRun(run: Run, at: number, high: boolean, dipMs: number): Run {
  const broken = run.lastHighAt === null || at - run.lastHighAt > dipMs || at < run.lastHighAt - dipMs;
  if (!high) return broken ? newRun() : run;
  if (broken || run.since === null || run.lastHighAt === null) return { since: at, lastHighAt: at };
  return { since: Math.min(run.since, at), lastHighAt: Math.max(run.lastHighAt, at) };
}

/** How long the run has lasted, ms (0 without a run). */
export const runLength = (run: Run): number =>
  run.since === null || run.lastHighAt === null ? 0 : run.lastHighAt - run.since;
