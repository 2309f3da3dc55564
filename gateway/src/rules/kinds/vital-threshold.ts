import type { WristbandTelemetry } from '@careedge/edge';
import { type Static, Type } from '@sinclair/typebox';
import type { RuleAction, RuleInput, RuleKind, StepContext, StepResult } from '../kind.js';
import { defaultsOf, priorityParam, secondsParam } from './kind-params.js';
import { arrivalOf, type SeenMessage, seenOf } from './message-order.js';

/** The telemetry fields a vitals rule can watch, with their unit; a new vital joins here. */
export const VITAL_FIELDS = { heartRateBpm: 'bpm' } as const satisfies Partial<
  Record<keyof WristbandTelemetry, string>
>;
export type VitalField = keyof typeof VITAL_FIELDS;

const Limit = (def: number, description: string) =>
  Type.Union([Type.Number(), Type.Null()], { default: def, description });

export const VitalThresholdParams = Type.Object(
  {
    field: Type.Union(
      (Object.keys(VITAL_FIELDS) as VitalField[]).map((f) => Type.Literal(f)),
      { default: 'heartRateBpm', description: 'The telemetry field watched.' },
    ),
    above: Limit(120, 'Raise when the value stays above this (null: no upper limit).'),
    below: Limit(40, 'Raise when the value stays below this (null: no lower limit).'),
    sustainS: secondsParam(
      60,
      'How long the value must stay beyond the limit, from the first reading beyond it to the latest.',
    ),
    hysteresis: Type.Number({
      minimum: 0,
      default: 5,
      description:
        "In the field's unit: a raised condition ends only when the value is back inside the limit by this margin.",
    }),
    maxGapS: secondsParam(
      180,
      'Readings of the field further apart than this restart the sustain time: two readings an hour apart are not an hour beyond the limit.',
    ),
    minReraiseS: secondsParam(
      900,
      'After a raise, a new episode raises again only once this has passed (flapping).',
    ),
    priority: priorityParam('medium', 'Priority of the vital-sign alert.'),
  },
  { additionalProperties: false },
);
export type VitalThresholdParams = Static<typeof VitalThresholdParams>;

export const vitalThresholdDefaults = (): VitalThresholdParams => defaultsOf(VitalThresholdParams);

type Side = 'above' | 'below';

/** A stretch of readings beyond one limit: pending until it lasts `sustainS`, then raised. */
interface Episode {
  side: Side;
  since: number;
  /** The highest (above) or lowest (below) value of the stretch. */
  worst: number;
  raised: boolean;
  /** The worst value the last raise reported: a repeat raise needs a worse one. */
  reportedWorst: number | null;
}

export interface VitalThresholdState {
  last: SeenMessage | null;
  /** Gateway time of the last input taken: time going back restarts a pending stretch. */
  lastAt: number | null;
  /** Gateway time of the last reading that carried the field (for gaps). */
  lastValueAt: number | null;
  episode: Episode | null;
  lastRaiseAt: number | null;
}

const worse = (side: Side, a: number, b: number) => (side === 'above' ? a > b : a < b);
/** Whether `a` is worse than `b` by at least `margin`. */
const worseBy = (side: Side, a: number, b: number, margin: number) =>
  (side === 'above' ? a - b : b - a) >= margin;

/**
 * A vital sign beyond a limit for a sustained time (e.g. heart rate > 120 or < 40 for 60 s)
 * raises `vital-sign`; the condition clears when the value is back inside by the hysteresis.
 *
 * It raises on a reading, never on a timer: a raise on a deadline would judge a value up to
 * `maxGapS` old, and one lone spike followed by silence would alarm. At 1-s telemetry that costs
 * at most a second; at 60-s readings (the ground truth) a minute, well inside the 300-s deadline.
 * Readings without the field (band not worn) count neither in nor out of range.
 */
export const vitalThreshold: RuleKind<VitalThresholdParams, VitalThresholdState> = {
  name: 'vital-threshold',
  subject: 'resident',
  // It judges a vital sustained for a minute: a reading every 5 s is plenty (see RuleKind.sampleS).
  sampleS: 5,
  inputs: ['telemetry'],
  params: VitalThresholdParams,
  initial: () => ({ last: null, lastAt: null, lastValueAt: null, episode: null, lastRaiseAt: null }),
  step(state, input, params, ctx) {
    if (input.type !== 'telemetry') return { state, actions: [], wakeAt: null };
    const arrival = arrivalOf(state.last, input.message);
    if (arrival !== 'fresh') return { state, actions: [], wakeAt: null };
    // A copy: the caller's state stays as it was (the engine may still hold it).
    const episode = state.episode ? { ...state.episode } : null;
    return onReading({ ...state, episode, last: seenOf(input.message) }, input, params, ctx);
  },
};

function onReading(
  s: VitalThresholdState,
  input: Extract<RuleInput, { type: 'telemetry' }>,
  p: VitalThresholdParams,
  ctx: StepContext,
): StepResult<VitalThresholdState> {
  const { at } = input;
  const backInTime = s.lastAt !== null && at < s.lastAt;
  s.lastAt = at;
  if (backInTime) {
    // The gateway clock went back: durations across the jump mean nothing. A pending stretch
    // starts again; the re-raise interval counts from now instead of from a future instant.
    if (s.episode && !s.episode.raised) s.episode = null;
    if (s.lastRaiseAt !== null) s.lastRaiseAt = Math.min(s.lastRaiseAt, at);
  }
  const value = input.message[p.field];
  if (value === undefined) return { state: s, actions: [], wakeAt: null };
  if (s.lastValueAt !== null && at - s.lastValueAt > p.maxGapS * 1000 && s.episode && !s.episode.raised)
    s.episode = null;
  s.lastValueAt = at;

  const actions: RuleAction[] = [];
  const side: Side | null =
    p.above !== null && value > p.above ? 'above' : p.below !== null && value < p.below ? 'below' : null;
  const unit = VITAL_FIELDS[p.field];

  if (s.episode?.raised) {
    const e = s.episode;
    const limit = e.side === 'above' ? p.above : p.below;
    // A limit removed meanwhile (a rules change) ends the condition as well.
    const backInside =
      limit === null || (e.side === 'above' ? value <= limit - p.hysteresis : value >= limit + p.hysteresis);
    if (backInside) {
      if (ctx.openAlert)
        actions.push({
          type: 'clear',
          by: 'rule',
          reason: `${p.field} back to ${value} ${unit} (limit ${limit ?? 'none'}, worst ${e.worst} ${unit})`,
        });
      s.episode = null;
    } else {
      if (side === e.side && worse(e.side, value, e.worst)) e.worst = value;
      // A repeat only when it tells something new: worse than reported by the hysteresis margin.
      const newWorst =
        e.reportedWorst === null || worseBy(e.side, e.worst, e.reportedWorst, Math.max(p.hysteresis, 1));
      // Resolved by staff while it goes on: a new alert only for a worse value, and not too soon.
      const allowed =
        ctx.openAlert !== null || s.lastRaiseAt === null || at - s.lastRaiseAt >= p.minReraiseS * 1000;
      if (side === e.side && newWorst && allowed) actions.push(raise(s, e, value, at, p));
      return { state: s, actions, wakeAt: null };
    }
  }

  if (side === null) {
    s.episode = null;
    return { state: s, actions, wakeAt: null };
  }
  if (s.episode?.side !== side)
    s.episode = { side, since: at, worst: value, raised: false, reportedWorst: null };
  const e = s.episode;
  if (worse(side, value, e.worst)) e.worst = value;
  const sustained = at - e.since >= p.sustainS * 1000;
  const reraiseOk = s.lastRaiseAt === null || at - s.lastRaiseAt >= p.minReraiseS * 1000;
  if (sustained && reraiseOk) actions.push(raise(s, e, value, at, p));
  return { state: s, actions, wakeAt: null };
}

function raise(
  s: VitalThresholdState,
  e: Episode,
  value: number,
  at: number,
  p: VitalThresholdParams,
): RuleAction {
  const unit = VITAL_FIELDS[p.field];
  const limit = e.side === 'above' ? p.above : p.below;
  const sustainedS = Math.round((at - e.since) / 1000);
  e.raised = true;
  e.reportedWorst = e.worst;
  s.lastRaiseAt = at;
  return {
    type: 'raise',
    alertKind: 'vital-sign',
    priority: p.priority,
    reason: `${p.field} ${e.side} ${limit} ${unit} for ${sustainedS} s (now ${value}, worst ${e.worst} ${unit})`,
    detail: { field: p.field, side: e.side, value, worst: e.worst, limit, unit, sustainedS, since: e.since },
  };
}
