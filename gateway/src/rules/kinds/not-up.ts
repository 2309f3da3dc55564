import { type Static, Type } from '@sinclair/typebox';
import type { RuleAction, RuleKind, StepContext, StepResult } from '../kind.js';
import { admit, type InputGuard, newGuard } from './activity-input.js';
import {
  type BaselineState,
  baselineParams,
  learn,
  newBaseline,
  risenAt,
  risingDays,
  usualRise,
} from './baseline.js';
import { atLocalMinute, hhmm, minuteOf, TimeOfDay } from './time-of-day.js';

export const NotUpParams = Type.Object(
  {
    marginS: Type.Integer({
      minimum: 0,
      maximum: 6 * 3600,
      default: 3600,
      description: 'Alert when the resident is not up by their usual rising time plus this, seconds.',
    }),
    fallbackTime: TimeOfDay(
      'The check time while the usual rising time is still being learned (after late risers are up).',
      '10:00',
    ),
    minRiseDays: Type.Integer({
      minimum: 1,
      maximum: 28,
      default: 3,
      description: 'Mornings with a rising time learned before the usual time replaces the fallback.',
    }),
    maxGapS: Type.Integer({
      minimum: 60,
      default: 1800,
      description:
        'Readings older than this (or a gap this long among them) no longer show whether the resident is up: the check waits for fresh ones. Long enough for a band that reports sparsely while still.',
    }),
    ...baselineParams,
  },
  { additionalProperties: false },
);
export type NotUpParams = Static<typeof NotUpParams>;

export interface NotUpState {
  guard: InputGuard;
  baseline: BaselineState;
  /** The local day being checked, and whether its check is done (raised or found up). */
  day: string | null;
  checked: boolean;
  /** A not-up alert was raised and the resident has not been seen up since. */
  raised: boolean;
  /** Since when worn readings came without a gap, and the last one. */
  wornSince: number | null;
  lastWornAt: number | null;
}

/** Dips the rising detector tolerates, so fresh data must cover the sustain time plus this. */
const RISING_SLACK_MS = 3 * 60_000;

function track(s: NotUpState, at: number, worn: boolean, gapMs: number, reset: boolean): NotUpState {
  if (!worn) return { ...s, wornSince: null, lastWornAt: null };
  const continuous = !reset && s.lastWornAt !== null && s.wornSince !== null && at - s.lastWornAt <= gapMs;
  return {
    ...s,
    wornSince: continuous ? s.wornSince : at,
    lastWornAt: Math.max(at, s.lastWornAt ?? at),
  };
}

/**
 * The morning check (issue 8): not up by the usual rising time (learned, median over the days)
 * plus a margin, once per local day, on the deadline it asks for (not on readings, which may be
 * sparse). The answer needs fresh worn readings long enough to have seen a rising; without them
 * (band off, out of range) it waits: those are not-worn's and device-offline's to report.
 */
export const notUp: RuleKind<NotUpParams, NotUpState> = {
  name: 'not-up',
  subject: 'resident',
  // It judges minutes of activity: a reading every 10 s is plenty (see RuleKind.sampleS).
  sampleS: 10,
  inputs: ['telemetry'],
  params: NotUpParams,
  initial: () => ({
    guard: newGuard(),
    baseline: newBaseline(),
    day: null,
    checked: false,
    raised: false,
    wornSince: null,
    lastWornAt: null,
  }),
  step(state, input, p, ctx): StepResult<NotUpState> {
    let s = state;
    if (input.type === 'telemetry') {
      const { at, message } = input;
      const [guard, admission] = admit(s.guard, at, message);
      if (admission !== 'duplicate') {
        const baseline = learn(
          s.baseline,
          { at, activity: message.activity, worn: message.worn },
          p,
          ctx.local,
        );
        s = track(
          { ...s, guard, baseline },
          at,
          message.worn,
          p.maxGapS * 1000,
          admission === 'clock-stepped-back',
        );
      }
    } else if (input.type !== 'tick') {
      return { state, actions: [], wakeAt: nextWake(state, input.at, p, ctx) };
    }
    const [next, actions] = check(s, input.at, p, ctx);
    return { state: next, actions, wakeAt: nextWake(next, input.at, p, ctx) };
  },
};

/** Today's check minute: the usual rising time plus the margin, or the fallback. */
function checkMinute(s: NotUpState, p: NotUpParams): { minute: number; usual: number | null } {
  const usual = usualRise(s.baseline, p.minRiseDays);
  if (usual === null) return { minute: minuteOf(p.fallbackTime), usual };
  return { minute: Math.min(1439, Math.round(usual + p.marginS / 60)), usual };
}

const fresh = (s: NotUpState, at: number, p: NotUpParams) =>
  s.lastWornAt !== null &&
  s.wornSince !== null &&
  at - s.lastWornAt <= p.maxGapS * 1000 &&
  s.wornSince <= at - (p.risingSustainS * 1000 + RISING_SLACK_MS);

function check(state: NotUpState, at: number, p: NotUpParams, ctx: StepContext): [NotUpState, RuleAction[]] {
  const lt = ctx.local(at);
  // A new local day starts a new check (a day earlier than the last: the clock stepped back).
  let s = state.day === null || lt.day > state.day ? { ...state, day: lt.day, checked: false } : state;
  if (lt.day !== s.day) return [s, []];
  const rose = risenAt(s.baseline, lt.day);
  const actions: RuleAction[] = [];
  if (s.raised && rose !== null) {
    s = { ...s, raised: false };
    if (ctx.openAlert !== null)
      actions.push({ type: 'clear', by: 'rule', reason: `Up at ${hhmm(ctx.local(rose).minuteOfDay)}.` });
  }
  const { minute, usual } = checkMinute(s, p);
  if (s.checked || lt.minuteOfDay < minute) return [s, actions];
  if (rose !== null) return [{ ...s, checked: true }, actions];
  if (!fresh(s, at, p)) return [s, actions];
  const reason =
    usual === null
      ? `Not up by ${hhmm(minute)} (fixed check time: the usual rising time is learned over ${p.minRiseDays} mornings, ${risingDays(s.baseline)} so far).`
      : `Not up by ${hhmm(minute)}: usually up at ${hhmm(usual)}.`;
  actions.push({
    type: 'raise',
    alertKind: 'not-up',
    priority: 'low',
    reason,
    detail: { checkTime: hhmm(minute), usualRising: usual === null ? null : hhmm(usual) },
  });
  return [{ ...s, checked: true, raised: true }, actions];
}

/** The check time today, or when fresh readings will be long enough to decide. */
function nextWake(s: NotUpState, at: number, p: NotUpParams, ctx: StepContext): number | null {
  if (s.checked || s.day === null) return null;
  const lt = ctx.local(at);
  if (lt.day !== s.day) return null;
  const { minute } = checkMinute(s, p);
  if (lt.minuteOfDay < minute) {
    const t = atLocalMinute(ctx.local, at, minute);
    return t > at ? t : null;
  }
  if (s.wornSince === null) return null;
  const t = s.wornSince + p.risingSustainS * 1000 + RISING_SLACK_MS;
  return t > at ? t : null;
}
