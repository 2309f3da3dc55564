import type { Static } from '@sinclair/typebox';
import { SupervisionSettings } from '../../config/supervision.js';
import type { RuleAction, RuleKind } from '../kind.js';

/** The same settings as the config's `rules.supervision`, which give their defaults. */
export const HeartbeatMissedParams = SupervisionSettings;
export type HeartbeatMissedParams = Static<typeof HeartbeatMissedParams>;

/**
 * When a device last heard at `lastHeardAt` is offline: `missedHeartbeats` of its declared
 * intervals plus the grace. Any message counts as heard, so a band sending telemetry every
 * second stays supervised even if one heartbeat is lost.
 */
export function offlineAt(lastHeardAt: number, intervalS: number, p: HeartbeatMissedParams): number {
  return lastHeardAt + (p.missedHeartbeats * intervalS + p.graceS) * 1000;
}

export interface HeartbeatMissedState {
  /** Declared by the device's last heartbeat; null until it sent one (not supervised). */
  intervalS: number | null;
  lastHeardAt: number | null;
  offline: boolean;
}

/**
 * Device offline: silent for `missedHeartbeats` intervals. Live, the engine does not step this
 * kind: heartbeat supervision (rules/supervision.ts) keeps its timers, restart behaviour and retry
 * exactly as they were and reads its parameters, rule id and rules version from this rule. `step`
 * is the same decision as a pure state machine, for an offline replay.
 */
export const heartbeatMissed: RuleKind<HeartbeatMissedParams, HeartbeatMissedState> = {
  name: 'heartbeat-missed',
  subject: 'device',
  inputs: ['heartbeat', 'telemetry', 'event', 'status'],
  params: HeartbeatMissedParams,
  initial: () => ({ intervalS: null, lastHeardAt: null, offline: false }),
  step(state, input, params) {
    const actions: RuleAction[] = [];
    let next = state;
    if (input.type === 'tick') {
      const due =
        next.intervalS === null || next.lastHeardAt === null
          ? null
          : offlineAt(next.lastHeardAt, next.intervalS, params);
      if (!next.offline && due !== null && input.at >= due) {
        next = { ...next, offline: true };
        actions.push({
          type: 'raise',
          alertKind: 'device-offline',
          priority: params.priority,
          reason: 'missed its heartbeats',
          detail: {
            intervalS: next.intervalS,
            missedHeartbeats: params.missedHeartbeats,
            lastHeardAt: next.lastHeardAt,
          },
        });
      }
    } else if (input.type !== 'status' || input.message.state === 'online') {
      const intervalS = input.type === 'heartbeat' ? input.message.intervalS : next.intervalS;
      if (intervalS === null) return { state, actions, wakeAt: null }; // never declared: not supervised
      if (next.offline) actions.push({ type: 'clear', by: 'device', reason: 'heard again' });
      next = { intervalS, lastHeardAt: input.at, offline: false };
    }
    const wakeAt =
      next.offline || next.intervalS === null || next.lastHeardAt === null
        ? null
        : offlineAt(next.lastHeardAt, next.intervalS, params);
    return { state: next, actions, wakeAt };
  },
};
