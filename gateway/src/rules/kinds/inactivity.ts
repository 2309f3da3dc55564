import { type Static, Type } from '@sinclair/typebox';
import type { RuleAction, RuleKind, StepContext, StepResult } from '../kind.js';
import { admit, type InputGuard, newGuard } from './activity-input.js';
import {
  type BaselineState,
  baselineParams,
  daysLearned,
  expectedActivity,
  learn,
  median,
  newBaseline,
  ready,
  risenAt,
} from './baseline.js';
import { HoursRange, inHours } from './time-of-day.js';

export const InactivityParams = Type.Object(
  {
    windowS: Type.Integer({
      minimum: 600,
      maximum: 6 * 3600,
      default: 3600,
      description: 'The window over which activity is averaged, seconds.',
    }),
    ratio: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.3,
      description:
        "Sensitivity: alert when the window's mean activity is under this share of the resident's usual activity for those hours.",
    }),
    minExpected: Type.Number({
      minimum: 0,
      default: 6,
      description:
        'Absolute floor: a window touching an hour whose usual activity is under this (a nap, bedtime) never alerts.',
    }),
    fallbackActivity: Type.Number({
      minimum: 0,
      default: 3,
      description:
        'While the baseline is learning (or an hour is not learned): alert when the window mean is under this.',
    }),
    hours: HoursRange(
      'Waking hours in which the rule looks (the whole window must lie inside).',
      '08:00-20:00',
    ),
    maxGapS: Type.Integer({
      minimum: 60,
      default: 600,
      description:
        'A window with a gap in the readings longer than this is not judged (out of range is not inactivity).',
    }),
    clearS: Type.Integer({
      minimum: 60,
      default: 300,
      description:
        'Activity back at twice the alert limit (the median minute of this long) clears the alert.',
    }),
    ...baselineParams,
  },
  { additionalProperties: false },
);
export type InactivityParams = Static<typeof InactivityParams>;

/** A minute of readings: [minute since epoch, sum of activity, readings, local hour]. */
type Bucket = [number, number, number, number];

export interface InactivityState {
  guard: InputGuard;
  baseline: BaselineState;
  /** Worn readings of the last window, per minute, oldest first. */
  window: Bucket[];
  /** The raised episode: the limit it was judged by; null once activity returned. */
  episode: { limit: number } | null;
}

const MINUTE = 60_000;
const round1 = (x: number) => Math.round(x * 10) / 10;

function addReading(
  window: Bucket[],
  at: number,
  activity: number,
  hour: number,
  windowMin: number,
): Bucket[] {
  const minute = Math.floor(at / MINUTE);
  const i = window.findIndex((b) => b[0] >= minute);
  let next: Bucket[];
  if (i >= 0 && window[i]![0] === minute) {
    const b = window[i]!;
    next = window.with(i, [minute, b[1] + activity, b[2] + 1, b[3]]);
  } else {
    const bucket: Bucket = [minute, activity, 1, hour];
    next = i < 0 ? [...window, bucket] : [...window.slice(0, i), bucket, ...window.slice(i)];
  }
  const newest = next.at(-1)![0];
  return next.filter((b) => b[0] > newest - windowMin);
}

const meanOf = (buckets: Bucket[]) => {
  const n = buckets.reduce((s, b) => s + b[2], 0);
  return n === 0 ? null : buckets.reduce((s, b) => s + b[1], 0) / n;
};

/** The window is judged only when readings cover it, without a gap longer than `maxGapS`. */
function covered(window: Bucket[], windowMin: number, gapMin: number): boolean {
  if (window.length === 0) return false;
  const newest = window.at(-1)![0];
  if (window[0]![0] > newest - windowMin + gapMin) return false;
  return window.every((b, i) => i === 0 || b[0] - window[i - 1]![0] <= gapMin);
}

/** The limit the window's mean is judged by, or null when these hours must not alert. */
function limitFor(
  s: InactivityState,
  p: InactivityParams,
): { limit: number; expected: number | null } | null {
  if (ready(s.baseline, p)) {
    const byHour = new Map<number, number | null>();
    const expected = s.window.map((b) => {
      if (!byHour.has(b[3])) byHour.set(b[3], expectedActivity(s.baseline, b[3]));
      return byHour.get(b[3])!;
    });
    if (expected.every((x) => x !== null)) {
      // A window that touches a quiet hour (a nap, bedtime) is not judged: the hourly baseline
      // is too coarse to say where in that hour the quiet lies.
      if (expected.some((x) => x < p.minExpected)) return null;
      const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
      return { limit: p.ratio * mean, expected: mean };
    }
  }
  return { limit: p.fallbackActivity, expected: null };
}

/**
 * Activity far below the resident's own rhythm for a window, while worn, awake and in waking
 * hours (issue 8): low priority, cleared by the rule when activity returns. Not while the band
 * is off (not-worn's job) nor over data gaps (device-offline's).
 */
export const inactivity: RuleKind<InactivityParams, InactivityState> = {
  name: 'inactivity',
  subject: 'resident',
  // It judges minutes of activity: a reading every 10 s is plenty (see RuleKind.sampleS).
  sampleS: 10,
  inputs: ['telemetry'],
  params: InactivityParams,
  initial: () => ({ guard: newGuard(), baseline: newBaseline(), window: [], episode: null }),
  step(state, input, p, ctx): StepResult<InactivityState> {
    if (input.type !== 'telemetry') return { state, actions: [], wakeAt: null };
    const { at, message } = input;
    const [guard, admission] = admit(state.guard, at, message);
    if (admission === 'duplicate') return { state, actions: [], wakeAt: null };
    const baseline = learn(
      state.baseline,
      { at, activity: message.activity, worn: message.worn },
      p,
      ctx.local,
    );
    const windowMin = Math.round(p.windowS / 60);
    let window = admission === 'clock-stepped-back' ? [] : state.window;
    if (!message.worn) return { state: { ...state, guard, baseline, window: [] }, actions: [], wakeAt: null };
    window = addReading(window, at, message.activity, ctx.local(at).hour, windowMin);
    const s: InactivityState = { ...state, guard, baseline, window };
    const [episode, actions] = judge(s, at, p, ctx);
    // Once activity is back, a new episode needs a whole new window (not the old still one).
    const fresh = state.episode !== null && episode === null ? [] : s.window;
    return { state: { ...s, window: fresh, episode }, actions, wakeAt: null };
  },
};

type Episode = InactivityState['episode'];

/** The median minute of the last `clearS`: one brisk reading after hours of stillness is not activity back. */
const recentActivity = (window: Bucket[], at: number, p: InactivityParams) =>
  median(window.filter((b) => b[0] > Math.floor(at / MINUTE) - p.clearS / 60).map((b) => b[1] / b[2]));

/** The episode after this reading, and what to do about it. */
function judge(
  s: InactivityState,
  at: number,
  p: InactivityParams,
  ctx: StepContext,
): [Episode, RuleAction[]] {
  const windowMin = Math.round(p.windowS / 60);
  if (s.episode !== null) {
    // Staff may have closed the alert already: the episode still lasts until activity returns,
    // so the same stretch of stillness is not raised twice.
    const recent = recentActivity(s.window, at, p);
    if (recent === null || recent < 2 * s.episode.limit) return [s.episode, []];
    const reason = `Activity is back (${round1(recent)} a minute over the last ${Math.round(p.clearS / 60)} min).`;
    return [null, ctx.openAlert === null ? [] : [{ type: 'clear', by: 'rule', reason }]];
  }
  const lt = ctx.local(at);
  const rose = risenAt(s.baseline, lt.day);
  const awake =
    inHours(p.hours, lt.minuteOfDay) &&
    inHours(p.hours, ctx.local(at - p.windowS * 1000).minuteOfDay) &&
    rose !== null &&
    rose <= at - p.windowS * 1000;
  if (!awake || !covered(s.window, windowMin, Math.round(p.maxGapS / 60))) return [null, []];
  const judged = limitFor(s, p);
  const mean = meanOf(s.window);
  if (judged === null || mean === null || mean >= judged.limit) return [null, []];
  // Already moving again (the window lags behind): raising now would only clear at once.
  const recent = recentActivity(s.window, at, p);
  if (recent !== null && recent >= 2 * judged.limit) return [null, []];
  const minutes = Math.round(p.windowS / 60);
  const reason =
    judged.expected === null
      ? `Activity ${round1(mean)} over the last ${minutes} min, under ${p.fallbackActivity} (the baseline is still learning).`
      : `Activity ${round1(mean)} over the last ${minutes} min, under ${Math.round(p.ratio * 100)} % of the usual ${round1(judged.expected)} for this time of day.`;
  const raise: RuleAction = {
    type: 'raise',
    alertKind: 'inactivity',
    priority: 'low',
    reason,
    detail: {
      windowMean: round1(mean),
      limit: round1(judged.limit),
      expected: judged.expected === null ? null : round1(judged.expected),
      daysLearned: daysLearned(s.baseline),
    },
  };
  return [{ limit: judged.limit }, [raise]];
}
