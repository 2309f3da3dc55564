import { type Static, Type } from '@sinclair/typebox';
import type { RuleAction, RuleKind } from '../kind.js';
import { defaultsOf, outranks, priorityParam } from './kind-params.js';
import { arrivalOf, type SeenMessage, seenOf } from './message-order.js';

const Percent = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 100, default: def, description });

export const BatteryLowParams = Type.Object(
  {
    lowPct: Percent(20, 'A reading at or below this raises battery-low.'),
    criticalPct: Percent(10, 'A reading at or below this makes it critical (its priority goes up).'),
    rechargePct: Percent(
      30,
      'Once raised, the alert clears (by the device) only when a reading is back at or above this: hysteresis.',
    ),
    lowPriority: priorityParam('low', 'Priority while the battery is low.'),
    criticalPriority: priorityParam(
      'medium',
      'Priority once it is critical: the band may die within the hour.',
    ),
  },
  { additionalProperties: false },
);
export type BatteryLowParams = Static<typeof BatteryLowParams>;

export const batteryLowDefaults = (): BatteryLowParams => defaultsOf(BatteryLowParams);

export type BatteryLevel = 'ok' | 'low' | 'critical';

export interface BatteryLowState {
  last: SeenMessage | null;
  /** The level last reported: it moves up only by raising, down only on a recharge. */
  level: BatteryLevel;
}

/**
 * A band's battery in two levels, one open alert per device: low raises at `lowPriority`,
 * critical raises its priority (or raises anew if staff closed the low one), a charge back to
 * `rechargePct` clears it as the device's doing. It needs no timer: the battery only changes
 * when the band says so, and a band gone silent is the heartbeat rule's business.
 */
export const batteryLow: RuleKind<BatteryLowParams, BatteryLowState> = {
  name: 'battery-low',
  subject: 'device',
  // A battery drains over hours: a reading every 30 s is plenty (see RuleKind.sampleS).
  sampleS: 30,
  inputs: ['telemetry'],
  params: BatteryLowParams,
  initial: () => ({ last: null, level: 'ok' }),
  step(state, input, p, ctx) {
    if (input.type !== 'telemetry' || arrivalOf(state.last, input.message) !== 'fresh')
      return { state, actions: [], wakeAt: null };
    const pct = input.message.batteryPct;
    const s: BatteryLowState = { last: seenOf(input.message), level: state.level };
    const actions: RuleAction[] = [];
    const detail = { batteryPct: pct, lowPct: p.lowPct, criticalPct: p.criticalPct };
    if (pct <= p.criticalPct && s.level !== 'critical') {
      const reason = `battery ${pct} % (critical at ${p.criticalPct} %)`;
      if (s.level === 'low' && ctx.openAlert) {
        if (outranks(p.criticalPriority, ctx.openAlert.priority))
          actions.push({ type: 'set-priority', priority: p.criticalPriority, reason });
      } else {
        actions.push({
          type: 'raise',
          alertKind: 'battery-low',
          priority: p.criticalPriority,
          reason,
          detail: { ...detail, level: 'critical' },
        });
      }
      s.level = 'critical';
    } else if (pct <= p.lowPct && s.level === 'ok') {
      actions.push({
        type: 'raise',
        alertKind: 'battery-low',
        priority: p.lowPriority,
        reason: `battery ${pct} % (low at ${p.lowPct} %)`,
        detail: { ...detail, level: 'low' },
      });
      s.level = 'low';
    } else if (pct >= p.rechargePct && s.level !== 'ok') {
      if (ctx.openAlert) actions.push({ type: 'clear', by: 'device', reason: `battery charged to ${pct} %` });
      s.level = 'ok';
    }
    return { state: s, actions, wakeAt: null };
  },
};
