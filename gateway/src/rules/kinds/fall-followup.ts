import { type Static, Type } from '@sinclair/typebox';
import type { RuleAction, RuleKind, StepContext, StepResult } from '../kind.js';
import { defaultsOf, outranks, priorityParam, secondsParam } from './kind-params.js';
import { arrivalOf, type SeenMessage, seenOf } from './message-order.js';

export const FallFollowupParams = Type.Object(
  {
    stillS: secondsParam(
      120,
      'No motion for this long after a fall raises the fall alert to `stillPriority` (the resident may be lying hurt).',
    ),
    stillActivity: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 2,
      description: 'A reading with activity at or below this and no steps is no motion.',
    }),
    stillPriority: priorityParam('high', 'Priority of the fall alert after no motion.'),
    movedPriority: priorityParam(
      'medium',
      'Priority of the fall alert after motion followed by a cancel at the device (it is never closed by the rule).',
    ),
    watchS: secondsParam(1800, 'How long after a fall the rule watches for stillness and a cancel.'),
  },
  { additionalProperties: false },
);
export type FallFollowupParams = Static<typeof FallFollowupParams>;

export const fallFollowupDefaults = (): FallFollowupParams => defaultsOf(FallFollowupParams);

/** The watch that follows one fall. */
interface Watch {
  fallAt: number;
  /** Start of the current stretch without motion; null while moving. */
  stillSince: number | null;
  /** Last reading with motion since the fall. */
  movedAt: number | null;
  /** A fall alert was seen open since the fall: if it is gone now, staff resolved it. */
  alertSeen: boolean;
  escalated: boolean;
}

export interface FallFollowupState {
  last: SeenMessage | null;
  watch: Watch | null;
  /** The last fall event, kept after its watch ends, so that its repeat starts no second watch. */
  lastFall: SeenMessage | null;
}

/**
 * What follows a fall. The instant rule has raised the fall alert; this one only changes its
 * priority, recorded with a reason, and never closes it: no motion (activity ≤ `stillActivity`,
 * no steps) for `stillS` → `stillPriority`; motion, then a cancel at the device → `movedPriority`.
 * A missing reading is no evidence of motion, so the stillness deadline is a wake-up and fires
 * even if the band falls silent. A priority is only ever moved in its direction: up for
 * stillness, down for a cancel.
 *
 * `ctx.openAlert` is the resident's open fall alert (whoever raised it). If staff resolved it
 * meanwhile, the rule does nothing. If none was ever seen open since the fall (the instant rule
 * scoped out for this resident, or disabled), a fall followed by no motion raises `fall` itself
 * at `stillPriority`, so it is never left unheard; a fall followed by motion raises nothing.
 */
export const fallFollowup: RuleKind<FallFollowupParams, FallFollowupState> = {
  name: 'fall-followup',
  subject: 'resident',
  follows: 'fall',
  // The cancel comes from the room's care button (reset key, pull cord): bands have none.
  roomEvents: ['cancel'],
  // It judges stillness over minutes after a fall: a reading every 5 s is plenty (events always come) (see RuleKind.sampleS).
  sampleS: 5,
  inputs: ['event', 'telemetry'],
  params: FallFollowupParams,
  initial: () => ({ last: null, watch: null, lastFall: null }),
  step(state, input, p, ctx) {
    const s: FallFollowupState = { ...state, watch: state.watch ? { ...state.watch } : null };
    const { at } = input;
    if (input.type === 'event' && input.message.type === 'fall') {
      const fall = seenOf(input.message);
      if (arrivalOf(s.lastFall, fall) === 'repeat') return settle(s, at, p, ctx, []);
      s.lastFall = fall;
      s.watch = { fallAt: at, stillSince: at, movedAt: null, alertSeen: false, escalated: false };
      return settle(s, at, p, ctx, []);
    }
    if (input.type === 'telemetry') {
      if (arrivalOf(s.last, input.message) !== 'fresh') return settle(s, at, p, ctx, []);
      s.last = seenOf(input.message);
    }
    const w = s.watch;
    if (!w) return { state: s, actions: [], wakeAt: null };
    if (at < w.fallAt) {
      // The gateway clock went back: the time since the fall is unknown. Count the stillness
      // from now, so a deadline is late at worst, never skipped.
      w.fallAt = at;
      if (w.stillSince !== null) w.stillSince = at;
    }
    if (input.type === 'telemetry') {
      const { activity, steps } = input.message;
      if (activity > p.stillActivity || (steps ?? 0) > 0) {
        w.movedAt = at;
        w.stillSince = null;
      } else if (at < w.fallAt + p.watchS * 1000) {
        w.stillSince ??= at; // a stillness that starts after the watch is not this fall's follow-up
      }
    } else if (input.type === 'event' && input.message.type === 'cancel') {
      return onCancel(s, w, at, p, ctx);
    }
    return settle(s, at, p, ctx, []);
  },
};

function onCancel(s: FallFollowupState, w: Watch, at: number, p: FallFollowupParams, ctx: StepContext) {
  const actions: RuleAction[] = [];
  const moving = w.movedAt !== null && w.stillSince === null;
  if (!moving) return settle(s, at, p, ctx, actions);
  if (ctx.openAlert && outranks(ctx.openAlert.priority, p.movedPriority))
    actions.push({
      type: 'set-priority',
      priority: p.movedPriority,
      reason: `motion after the fall and a cancel at the device, ${Math.round((at - w.fallAt) / 1000)} s after it`,
    });
  s.watch = null;
  return { state: s, actions, wakeAt: null };
}

/** Notes the alert, ends a watch that is over, and escalates a stillness that has lasted. */
function settle(
  s: FallFollowupState,
  at: number,
  p: FallFollowupParams,
  ctx: StepContext,
  actions: RuleAction[],
): StepResult<FallFollowupState> {
  const w = s.watch;
  if (!w) return { state: s, actions, wakeAt: null };
  if (ctx.openAlert) w.alertSeen = true;
  else if (w.alertSeen) s.watch = null; // resolved by staff: nothing left to follow up
  if (s.watch && at - w.fallAt >= p.watchS * 1000 && (w.escalated || w.stillSince === null)) s.watch = null;
  if (!s.watch) return { state: s, actions, wakeAt: null };
  if (w.escalated || w.stillSince === null) return { state: s, actions, wakeAt: null };
  const due = w.stillSince + p.stillS * 1000;
  if (at < due) return { state: s, actions, wakeAt: due };
  w.escalated = true;
  const reason = `no motion for ${Math.round((at - w.stillSince) / 1000)} s after the fall`;
  if (ctx.openAlert) {
    if (outranks(p.stillPriority, ctx.openAlert.priority))
      actions.push({ type: 'set-priority', priority: p.stillPriority, reason });
  } else {
    actions.push({
      type: 'raise',
      alertKind: 'fall',
      priority: p.stillPriority,
      reason: `${reason}; no fall alert was open`,
      detail: { fallAt: w.fallAt, stillSince: w.stillSince },
    });
  }
  return { state: s, actions, wakeAt: null };
}
