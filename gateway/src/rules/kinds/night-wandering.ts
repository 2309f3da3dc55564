import { type Static, Type } from '@sinclair/typebox';
import type { RuleAction, RuleKind, StepContext, StepResult } from '../kind.js';
import {
  admit,
  extendRun,
  type InputGuard,
  newGuard,
  newRun,
  type Run,
  runLength,
} from './activity-input.js';
import { HoursRange, hhmm, inHours } from './time-of-day.js';

export const NightWanderingParams = Type.Object(
  {
    movingActivity: Type.Number({
      minimum: 1,
      maximum: 100,
      default: 20,
      description: 'Activity that counts as moving about (asleep stays under ~3).',
    }),
    sustainS: Type.Integer({
      minimum: 60,
      maximum: 3600,
      default: 600,
      description: 'How long moving must last, seconds: longer than a toilet visit (3–5 min).',
    }),
    nightHours: HoursRange('Night hours in which moving about alerts.', '00:00-05:00'),
    clearS: Type.Integer({
      minimum: 60,
      default: 900,
      description: 'No movement at night for this long (or the night is over) ends the episode, seconds.',
    }),
    flaggedOnly: Type.Boolean({
      default: true,
      description:
        'Only residents flagged at risk of night wandering (`nightWanderingRisk` in the site file).',
    }),
  },
  { additionalProperties: false },
);
export type NightWanderingParams = Static<typeof NightWanderingParams>;

/** The site file's `nightWanderingRisk` of the resident, as the engine passes it. Absent: not flagged. */
export const flaggedForNightWandering = (ctx: StepContext): boolean =>
  ctx.subject?.nightWanderingRisk === true;

export interface NightWanderingState {
  guard: InputGuard;
  /** Moving at night without a longer pause. */
  run: Run;
  /** A raised episode, and the last night-time movement in it. */
  episode: { lastMovingAt: number } | null;
}

/** A pause this short (standing at the door) does not break the movement. */
const DIP_MS = 2 * 60_000;

/**
 * A flagged resident moving about at night for longer than a toilet visit (issue 8): medium
 * priority (a carer should go and look), one alert per episode; the episode ends when the
 * resident has been still (or the night is over) for `clearS`.
 */
export const nightWandering: RuleKind<NightWanderingParams, NightWanderingState> = {
  name: 'night-wandering',
  subject: 'resident',
  // It judges minutes of activity: a reading every 10 s is plenty (see RuleKind.sampleS).
  sampleS: 10,
  inputs: ['telemetry'],
  params: NightWanderingParams,
  initial: () => ({ guard: newGuard(), run: newRun(), episode: null }),
  step(state, input, p, ctx): StepResult<NightWanderingState> {
    if (input.type !== 'telemetry' || (p.flaggedOnly && !flaggedForNightWandering(ctx)))
      return { state, actions: [], wakeAt: null };
    const { at, message } = input;
    const [guard, admission] = admit(state.guard, at, message);
    if (admission === 'duplicate') return { state, actions: [], wakeAt: null };
    const lt = ctx.local(at);
    const moving =
      message.worn && message.activity >= p.movingActivity && inHours(p.nightHours, lt.minuteOfDay);
    const run = extendRun(admission === 'clock-stepped-back' ? newRun() : state.run, at, moving, DIP_MS);
    const s: NightWanderingState = { ...state, guard, run };
    if (s.episode !== null) {
      if (moving)
        return {
          state: { ...s, episode: { lastMovingAt: Math.max(at, s.episode.lastMovingAt) } },
          actions: [],
          wakeAt: null,
        };
      if (at - s.episode.lastMovingAt < p.clearS * 1000) return { state: s, actions: [], wakeAt: null };
      const reason = `No movement at night for ${Math.round(p.clearS / 60)} min.`;
      const actions: RuleAction[] = ctx.openAlert === null ? [] : [{ type: 'clear', by: 'rule', reason }];
      return { state: { ...s, episode: null }, actions, wakeAt: null };
    }
    if (run.since === null || runLength(run) < p.sustainS * 1000)
      return { state: s, actions: [], wakeAt: null };
    const since = ctx.local(run.since).minuteOfDay;
    const raise: RuleAction = {
      type: 'raise',
      alertKind: 'night-wandering',
      priority: 'medium',
      reason: `Moving about at night since ${hhmm(since)} (activity ${p.movingActivity} or more for ${Math.round(runLength(run) / 60_000)} min).`,
      detail: { since: hhmm(since), activity: message.activity },
    };
    return { state: { ...s, episode: { lastMovingAt: at } }, actions: [raise], wakeAt: null };
  },
};
