import { Type } from '@sinclair/typebox';
import type { LocalTime } from '../kind.js';
import { extendRun, newRun, type Run, runLength } from './activity-input.js';
import { hhmm, minuteOf, TimeOfDay } from './time-of-day.js';

/**
 * A resident's own rhythm, learned from the wristband: the typical activity of each local hour
 * of the day over the last fortnight, and the usual rising time. Pure helpers on plain JSON (the
 * engine persists it with the rule's state): per day 24 hourly means and one rising minute.
 *
 * Robust on purpose: an hour with too few worn readings is not learned (off the wrist, out of
 * range), so a day on the charger or a missing hour does not drag the baseline down; the
 * expected value of an hour is the median over the days that have it, so one odd day (an
 * incident, a party) does not move it.
 */

/** An hour is learned when worn readings span 40 of its minutes without a gap over 10. */
const HOUR_MIN_SPAN_MS = 40 * 60_000;
const HOUR_MAX_GAP_MS = 10 * 60_000;
/** A day counts as learned with 16 learned hours (a few missing hours are fine). */
const DAY_MIN_HOURS = 16;
/** An hour's expected value needs at least this many days that have it. */
const HOUR_MIN_DAYS = 3;
/** Dips tolerated inside the rising activity (a pause at the washbasin). */
const RISING_DIP_MS = 3 * 60_000;

export const baselineParams = {
  learnDays: Type.Integer({
    minimum: 3,
    maximum: 28,
    default: 14,
    description: 'Days of history the baseline keeps (a ring: the oldest day is forgotten).',
  }),
  minDays: Type.Integer({
    minimum: 1,
    maximum: 28,
    default: 5,
    description:
      'Learned days (16 or more hours of worn readings) before the baseline is used; until then the fixed fallback applies.',
  }),
  risingActivity: Type.Number({
    minimum: 1,
    maximum: 100,
    default: 6,
    description: 'Activity that counts as up and about (asleep stays under ~3).',
  }),
  risingSustainS: Type.Integer({
    minimum: 60,
    maximum: 3600,
    default: 600,
    description: 'How long that activity must last to count as rising: longer than a toilet visit at night.',
  }),
  morningFrom: TimeOfDay('Rising is looked for from this time on (earlier activity is night-time).', '05:00'),
};

export interface BaselineParams {
  learnDays: number;
  minDays: number;
  risingActivity: number;
  risingSustainS: number;
  morningFrom: string;
}

export interface BaselineDay {
  /** Local day, `YYYY-MM-DD`. */
  day: string;
  /**
   * Mean activity of each local hour in tenths, two base-36 digits an hour (`zz`: not learned,
   * too few worn readings came); read it with hourOf. A string, not 24 numbers: two baselines of
   * 15 days for each of 5,000 residents were 100 MB of heap as arrays, 10 as strings.
   */
  hours: string;
  /** Local minute of the first sustained activity from `morningFrom`, or null. */
  rise: number | null;
}

/** The hour being learned now. */
interface HourSums {
  day: string;
  hour: number;
  sum: number;
  n: number;
  first: number;
  last: number;
  maxGap: number;
}

export interface BaselineState {
  /** Oldest first; the last is today (or the latest day seen). */
  days: BaselineDay[];
  hour: HourSums | null;
  /** Today's rising detection. */
  rising: { day: string; run: Run; risenAt: number | null } | null;
}

export const newBaseline = (): BaselineState => ({ days: [], hour: null, rising: null });

export interface ActivityReading {
  at: number;
  activity: number;
  worn: boolean;
}

/** Two base-36 digits: tenths 0 … 1294; 1295 (`zz`) is an hour not learned. */
const NOT_LEARNED = 'zz';
const NO_HOURS = NOT_LEARNED.repeat(24);

/** The mean activity of a local hour of the day, or null where it was not learned. */
export function hourOf(d: BaselineDay, hour: number): number | null {
  const digits = d.hours.slice(hour * 2, hour * 2 + 2);
  return digits === NOT_LEARNED || digits.length < 2 ? null : Number.parseInt(digits, 36) / 10;
}

function withHour(hours: string, hour: number, mean: number): string {
  const tenths = Math.min(1294, Math.max(0, Math.round(mean * 10)));
  return `${hours.slice(0, hour * 2)}${tenths.toString(36).padStart(2, '0')}${hours.slice(hour * 2 + 2)}`;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Writes a finished hour into its day, if it is learned. */
function closeHour(days: BaselineDay[], h: HourSums): BaselineDay[] {
  const learned = h.n > 0 && h.last - h.first >= HOUR_MIN_SPAN_MS && h.maxGap <= HOUR_MAX_GAP_MS;
  const i = days.findIndex((d) => d.day === h.day);
  if (!learned || i < 0) return days;
  return days.with(i, { ...days[i]!, hours: withHour(days[i]!.hours, h.hour, h.sum / h.n) });
}

function withDay(days: BaselineDay[], day: string, learnDays: number): BaselineDay[] {
  const last = days.at(-1);
  if (last !== undefined && last.day >= day) return days;
  return [...days, { day, hours: NO_HOURS, rise: null }].slice(-(learnDays + 1));
}

function learnHour(b: BaselineState, r: ActivityReading, lt: LocalTime): BaselineState {
  const h = b.hour;
  if (h !== null && h.day === lt.day && h.hour === lt.hour) {
    const gap = r.at > h.last ? r.at - h.last : 0;
    const hour = {
      ...h,
      sum: h.sum + r.activity,
      n: h.n + 1,
      first: Math.min(h.first, r.at),
      last: Math.max(h.last, r.at),
      maxGap: Math.max(h.maxGap, gap),
    };
    return { ...b, hour };
  }
  // A reading of an hour already closed (late, or the clock stepped back) is not learned.
  if (h !== null && (lt.day < h.day || (lt.day === h.day && lt.hour < h.hour))) return b;
  const days = h === null ? b.days : closeHour(b.days, h);
  const hour = { day: lt.day, hour: lt.hour, sum: r.activity, n: 1, first: r.at, last: r.at, maxGap: 0 };
  return { ...b, days, hour };
}

function learnRising(
  b: BaselineState,
  r: ActivityReading,
  lt: LocalTime,
  p: BaselineParams,
  local: (at: number) => LocalTime,
): BaselineState {
  const today = b.rising?.day === lt.day ? b.rising : { day: lt.day, run: newRun(), risenAt: null };
  if (today.risenAt !== null || lt.minuteOfDay < minuteOf(p.morningFrom)) {
    return today === b.rising ? b : { ...b, rising: today };
  }
  const run = extendRun(today.run, r.at, r.worn && r.activity >= p.risingActivity, RISING_DIP_MS);
  if (run.since === null || runLength(run) < p.risingSustainS * 1000)
    return { ...b, rising: { ...today, run } };
  const rise = local(run.since).minuteOfDay;
  const i = b.days.findIndex((d) => d.day === lt.day);
  const days = i < 0 ? b.days : b.days.with(i, { ...b.days[i]!, rise });
  return { ...b, days, rising: { ...today, run, risenAt: run.since } };
}

/**
 * Learns one telemetry reading. Readings off the wrist teach nothing (and break a rising run);
 * a day earlier than the latest one seen (the clock stepped back) is not learned.
 */
export function learn(
  b: BaselineState,
  r: ActivityReading,
  p: BaselineParams,
  local: (at: number) => LocalTime,
): BaselineState {
  const lt = local(r.at);
  const latest = b.days.at(-1)?.day;
  if (latest !== undefined && lt.day < latest) return b;
  let next: BaselineState = { ...b, days: withDay(b.days, lt.day, p.learnDays) };
  if (r.worn) next = learnHour(next, r, lt);
  return learnRising(next, r, lt, p, local);
}

/** Days with enough learned hours to count. */
export const daysLearned = (b: BaselineState): number =>
  b.days.filter((d) => hoursLearned(d) >= DAY_MIN_HOURS).length;

function hoursLearned(d: BaselineDay): number {
  let n = 0;
  for (let h = 0; h < 24; h++) if (hourOf(d, h) !== null) n++;
  return n;
}

/** The activity to expect in a local hour: the median of the learned days, or null if too few. */
export function expectedActivity(b: BaselineState, hour: number): number | null {
  const values = b.days.map((d) => hourOf(d, hour)).filter((x): x is number => x !== null);
  return values.length < HOUR_MIN_DAYS ? null : median(values);
}

/** Whether the hourly baseline is ready to judge against. */
export const ready = (b: BaselineState, p: Pick<BaselineParams, 'minDays'>): boolean =>
  daysLearned(b) >= p.minDays;

/** Days with a rising time learned. */
export const risingDays = (b: BaselineState): number => b.days.filter((d) => d.rise !== null).length;

/** The usual rising minute (median over the days), or null with fewer than `minDays` of them. */
export function usualRise(b: BaselineState, minDays: number): number | null {
  const rises = b.days.map((d) => d.rise).filter((x): x is number => x !== null);
  return rises.length < minDays ? null : median(rises);
}

/** When the resident got up today (gateway time), if they have. */
export const risenAt = (b: BaselineState, day: string): number | null =>
  b.rising?.day === day ? b.rising.risenAt : null;

export interface BaselineDescription {
  status: 'learning' | 'ready';
  daysLearned: number;
  daysNeeded: number;
  /** Expected activity per local hour (null: not learned yet). */
  expectedByHour: (number | null)[];
  rising: { status: 'learning' | 'ready'; daysLearned: number; daysNeeded: number; usual: string | null };
}

/** What the baseline knows, for the console and HTTP (pure). */
export function describe(
  b: BaselineState,
  p: Pick<BaselineParams, 'minDays'> & { minRiseDays?: number },
): BaselineDescription {
  const minRiseDays = p.minRiseDays ?? p.minDays;
  const usual = usualRise(b, minRiseDays);
  return {
    status: ready(b, p) ? 'ready' : 'learning',
    daysLearned: daysLearned(b),
    daysNeeded: p.minDays,
    expectedByHour: Array.from({ length: 24 }, (_, h) => expectedActivity(b, h)),
    rising: {
      status: usual === null ? 'learning' : 'ready',
      daysLearned: risingDays(b),
      daysNeeded: minRiseDays,
      usual: usual === null ? null : hhmm(usual),
    },
  };
}
