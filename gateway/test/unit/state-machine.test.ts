import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../src/alerts/model.js';
import { type Command, isOpen, transition } from '../../src/alerts/state-machine.js';

const states: AlertState[] = ['raised', 'dispatched', 'acknowledged', 'attended', 'resolved', 'cancelled'];
const commands: Command[] = [
  'dispatch',
  'escalate',
  'decline',
  'acknowledge',
  'remind',
  'attend',
  'resolve',
  'cancel',
  'handover',
  'repeat',
  'take-over',
  'return',
  'reassign',
];

describe('alert state machine', () => {
  it('follows the happy path raised → dispatched → acknowledged → attended → resolved', () => {
    let s: AlertState = 'raised';
    for (const [cmd, want] of [
      ['dispatch', 'dispatched'],
      ['escalate', 'dispatched'],
      ['acknowledge', 'acknowledged'],
      ['attend', 'attended'],
      ['resolve', 'resolved'],
    ] as const) {
      const t = transition(s, cmd);
      expect(t).toEqual({ ok: true, to: want });
      if (t.ok) s = t.to;
    }
  });

  it.each([
    [
      'dispatched',
      'resolve',
      'cannot resolve an alert that is dispatched: mark arrival at the resident first',
    ],
    [
      'acknowledged',
      'acknowledge',
      'cannot acknowledge an alert that is acknowledged: somebody already acknowledged it',
    ],
    ['dispatched', 'attend', 'cannot attend an alert that is dispatched: it must be acknowledged first'],
    ['resolved', 'cancel', 'cannot cancel an alert that is resolved: it is already closed'],
    [
      'raised',
      'handover',
      'cannot handover an alert that is raised: only an owned, open alert can be handed over',
    ],
    [
      'resolved',
      'reassign',
      'cannot reassign an alert that is resolved: it is not owned (assign it with acknowledge)',
    ],
  ] as const)('refuses %s + %s with a reason', (state, cmd, reason) => {
    expect(transition(state, cmd)).toEqual({ ok: false, reason });
  });

  it('a reassignment keeps the state of an owned alert', () => {
    expect(transition('acknowledged', 'reassign')).toEqual({ ok: true, to: 'acknowledged' });
    expect(transition('attended', 'reassign')).toEqual({ ok: true, to: 'attended' });
  });

  it('never leaves a closed alert, and never reaches resolved without arrival (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...commands), { maxLength: 30 }), (cmds) => {
        let s: AlertState = 'raised';
        let attended = false;
        for (const c of cmds) {
          const t = transition(s, c);
          if (!t.ok) continue;
          if (!isOpen(s)) return false; // a closed alert accepted a command
          if (t.to === 'attended') attended = true;
          if (t.to === 'resolved' && !attended) return false;
          s = t.to;
        }
        return states.includes(s);
      }),
    );
  });
});
