import { type Static, Type } from '@sinclair/typebox';
import type { LocalTime, RuleAction, RuleKind, StepContext, StepResult } from '../kind.js';
import { defaultsOf, priorityParam, secondsParam } from './kind-params.js';
import { arrivalOf, type SeenMessage, seenOf } from './message-order.js';

const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';
const MIN_MS = 60_000;

export const NotWornParams = Type.Object(
  {
    afterS: secondsParam(
      3600,
      'Not worn for this long within day hours raises not-worn. Longer than the evening charge (30–45 min).',
    ),
    dayHours: Type.String({
      pattern: `^${HHMM}-${HHMM}$`,
      default: '07:00-21:00',
      description:
        'Local day hours, HH:MM-HH:MM (may span midnight). Only time off the wrist inside them counts, and only inside them it raises.',
    }),
    maxGapS: secondsParam(
      300,
      'Readings further apart than this are a gap, not time off the wrist: the count starts again after it.',
    ),
    priority: priorityParam('low', 'Priority of the not-worn alert.'),
  },
  { additionalProperties: false },
);
export type NotWornParams = Static<typeof NotWornParams>;

export const notWornDefaults = (): NotWornParams => defaultsOf(NotWornParams);

export interface NotWornState {
  last: SeenMessage | null;
  /** Gateway time of the last input from the band (a reading or off-wrist): evidence it is still off. */
  lastSeenAt: number | null;
  /** Since when the band is off the wrist, by this evidence; null while worn. */
  offSince: number | null;
  /** Raised for this time off the wrist: one alert per episode, even if staff close it. */
  raised: boolean;
}

/** Day hours as local minutes; `end < start` spans midnight. */
function dayWindow(dayHours: string): { start: number; end: number } {
  const [a = '', b = ''] = dayHours.split('-');
  const min = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return { start: min(a), end: min(b) };
}

/**
 * When the off time reaches `afterS` inside day hours, seen from `at`: the due instant, or the next
 * moment to look again. Local minutes are turned into instants around `at` (a DST jump in between
 * only moves a wake-up, which then looks again).
 */
function dueAt(offSince: number, at: number, local: LocalTime, p: NotWornParams): number {
  const { start, end } = dayWindow(p.dayHours);
  const length = (end - start + 1440) % 1440 || 1440;
  const intoDay = (local.minuteOfDay - start + 1440) % 1440;
  const minuteStart = at - (at % MIN_MS);
  const afterMs = p.afterS * 1000;
  if (intoDay < length) {
    const dayStart = minuteStart - intoDay * MIN_MS;
    const due = Math.max(offSince, dayStart) + afterMs;
    if (due < dayStart + length * MIN_MS) return due;
    return dayStart + 1440 * MIN_MS + afterMs;
  }
  return minuteStart + (1440 - intoDay) * MIN_MS + afterMs;
}

/**
 * A band off the wrist (`worn: false`, or an `off-wrist` event) for `afterS` during day hours
 * raises `not-worn`; wearing it again clears it, as the device's doing. A gap in the readings is
 * not time off the wrist (a band out of range or flat is the heartbeat rule's business): the
 * count starts again after it, and a deadline passes without a raise unless the band was heard
 * within `maxGapS` of it. It wakes at the deadline, so it fires on time between readings.
 */
export const notWorn: RuleKind<NotWornParams, NotWornState> = {
  name: 'not-worn',
  subject: 'resident',
  // It judges an hour off the wrist: a reading every 10 s is plenty (see RuleKind.sampleS).
  sampleS: 10,
  inputs: ['telemetry', 'event'],
  params: NotWornParams,
  initial: () => ({ last: null, lastSeenAt: null, offSince: null, raised: false }),
  step(state, input, p, ctx) {
    switch (input.type) {
      case 'tick':
        return evaluate({ ...state }, input.at, p, ctx, []);
      case 'telemetry':
        if (arrivalOf(state.last, input.message) !== 'fresh') return keep(state, input.at, p, ctx);
        return observe({ ...state, last: seenOf(input.message) }, input.at, !input.message.worn, p, ctx);
      case 'event':
        // Events come from any of the resident's devices: only a repeat of the last one is dropped.
        if (input.message.type !== 'off-wrist') return keep(state, input.at, p, ctx);
        return observe({ ...state }, input.at, true, p, ctx);
      default:
        return keep(state, input.at, p, ctx);
    }
  },
};

function observe(s: NotWornState, at: number, off: boolean, p: NotWornParams, ctx: StepContext) {
  const actions: RuleAction[] = [];
  // After a gap, or with the clock gone back, the time off so far is unknown: count from now.
  const unknown = s.lastSeenAt === null || at - s.lastSeenAt > p.maxGapS * 1000 || at < s.lastSeenAt;
  s.lastSeenAt = at;
  if (!off) {
    if (s.raised && ctx.openAlert) actions.push({ type: 'clear', by: 'device', reason: 'band worn again' });
    s.offSince = null;
    s.raised = false;
  } else if (s.offSince === null || (unknown && !s.raised)) {
    s.offSince = at;
  }
  return evaluate(s, at, p, ctx, actions);
}

function evaluate(
  s: NotWornState,
  at: number,
  p: NotWornParams,
  ctx: StepContext,
  actions: RuleAction[],
): StepResult<NotWornState> {
  if (s.offSince === null || s.raised) return { state: s, actions, wakeAt: null };
  const heard = s.lastSeenAt !== null && at - s.lastSeenAt <= p.maxGapS * 1000 && at >= s.lastSeenAt;
  // Silent since: wait for the band's next word rather than count a silence as time off.
  if (!heard) return { state: s, actions, wakeAt: null };
  const due = dueAt(s.offSince, at, ctx.local(at), p);
  if (at < due) return { state: s, actions, wakeAt: due };
  const offForS = Math.round((at - s.offSince) / 1000);
  actions.push({
    type: 'raise',
    alertKind: 'not-worn',
    priority: p.priority,
    reason: `band not worn for ${Math.round(offForS / 60)} min`,
    detail: { offSince: s.offSince, offForS, dayHours: p.dayHours },
  });
  s.raised = true;
  return { state: s, actions, wakeAt: null };
}

/** Nothing new: the same state and the same deadline. */
const keep = (s: NotWornState, at: number, p: NotWornParams, ctx: StepContext) =>
  evaluate({ ...s }, at, p, ctx, []);
