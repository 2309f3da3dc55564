import type { AlertState } from './model.js';

/**
 * The alert lifecycle. Commands move an alert between states; anything not listed is refused.
 *   raised → dispatched → acknowledged (owner) → attended → resolved (outcome)
 *   acknowledged → dispatched again (`return`) when the owner did not arrive after the reminders,
 *   or declined it herself;
 *   cancel (reset at the device) from any open state; a handover is offered, then taken over by
 *   the one it was offered to: both keep the state. A supervisor reassigns an owned alert (state
 *   kept) or assigns one nobody took (as acknowledge, on the new owner's behalf).
 */
export type Command =
  | 'dispatch'
  | 'escalate'
  | 'decline'
  | 'acknowledge'
  | 'remind'
  | 'attend'
  | 'resolve'
  | 'cancel'
  | 'handover'
  | 'take-over'
  | 'reassign'
  | 'return'
  | 'repeat';

const rules: Record<Command, { from: readonly AlertState[]; to?: AlertState; hint: string }> = {
  dispatch: { from: ['raised'], to: 'dispatched', hint: 'it was already dispatched' },
  escalate: {
    from: ['raised', 'dispatched'],
    to: 'dispatched',
    hint: 'it is no longer waiting for acceptance',
  },
  decline: { from: ['dispatched'], hint: 'it is no longer waiting for acceptance' },
  acknowledge: {
    from: ['raised', 'dispatched'],
    to: 'acknowledged',
    hint: 'somebody already acknowledged it',
  },
  remind: { from: ['acknowledged', 'attended'], hint: 'it is not waiting for arrival or an outcome' },
  return: { from: ['acknowledged'], to: 'dispatched', hint: 'it is not waiting for arrival' },
  attend: { from: ['acknowledged'], to: 'attended', hint: 'it must be acknowledged first' },
  resolve: { from: ['attended'], to: 'resolved', hint: 'mark arrival at the resident first' },
  cancel: {
    from: ['raised', 'dispatched', 'acknowledged', 'attended'],
    to: 'cancelled',
    hint: 'it is already closed',
  },
  handover: { from: ['acknowledged', 'attended'], hint: 'only an owned, open alert can be handed over' },
  'take-over': { from: ['acknowledged', 'attended'], hint: 'it is no longer owned' },
  reassign: { from: ['acknowledged', 'attended'], hint: 'it is not owned (assign it with acknowledge)' },
  repeat: { from: ['raised', 'dispatched', 'acknowledged', 'attended'], hint: 'it is already closed' },
};

export type Transition = { ok: true; to: AlertState } | { ok: false; reason: string };

/** The state after `command`, or why the command is not allowed in `state`. */
export function transition(state: AlertState, command: Command): Transition {
  const rule = rules[command];
  if (!rule.from.includes(state)) {
    return { ok: false, reason: `cannot ${command} an alert that is ${state}: ${rule.hint}` };
  }
  return { ok: true, to: rule.to ?? state };
}

export const isOpen = (state: AlertState) => state !== 'resolved' && state !== 'cancelled';
