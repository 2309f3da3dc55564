import { Priority } from '@careedge/edge';
import { type Static, Type } from '@sinclair/typebox';
import type { RuleAction, RuleKind } from '../kind.js';

const priority = (def: 'high' | 'medium' | 'low', description: string) => ({
  ...Priority,
  default: def,
  description,
});

export const InstantParams = Type.Object(
  {
    priority: Type.Object(
      {
        sos: priority('high', 'SOS button on a wristband.'),
        fall: priority('high', 'Fall detected by a wristband.'),
        call: priority('medium', 'Care-button call (button or pull cord).'),
        emergencyCall: priority(
          'high',
          'A call pressed while staff presence is set in the room: the carer there needs help (DIN VDE 0834).',
        ),
      },
      { additionalProperties: false, default: {}, description: 'Priority of the alert each call raises.' },
    ),
    presenceLifetimeS: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      default: 3600,
      description:
        'Staff presence set in a room counts for this long unless cleared; a forgotten key must not turn later calls into emergency calls or let a reset close them.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type InstantParams = Static<typeof InstantParams>;

/**
 * SOS, fall and care-button calls. Live, the engine does not step this kind: the call rules
 * (rules/call-rules.ts) keep the alarm path exactly as it was (settled inside the alert's commit,
 * retransmissions, presence and emergency calls, resets) and only read their priorities, rule id
 * and rules version from this rule. `step` is the same mapping without the room's presence and
 * open calls, which an offline replay does not have: a replayed call is never an emergency call.
 */
export const instant: RuleKind<InstantParams, Record<string, never>> = {
  name: 'instant',
  subject: 'device',
  inputs: ['event'],
  params: InstantParams,
  initial: () => ({}),
  step(state, input, params) {
    const actions: RuleAction[] = [];
    if (input.type === 'event') {
      const { message } = input;
      const raise = (alertKind: 'sos' | 'fall' | 'call', p: Priority) =>
        actions.push({
          type: 'raise',
          alertKind,
          priority: p,
          reason: message.type,
          detail: { deviceSeq: message.seq },
        });
      if (message.type === 'sos') raise('sos', params.priority.sos);
      else if (message.type === 'fall') raise('fall', params.priority.fall);
      else if (message.type === 'call') raise('call', params.priority.call);
    }
    return { state, actions, wakeAt: null };
  },
};
