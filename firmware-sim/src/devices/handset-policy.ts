import type { AlertKind, Dispatch, DispatchReason, Outcome } from '@careedge/edge';

/** What a simulated carer does with a dispatch offered to them. */
export type HandsetPolicy =
  | { mode: 'accept'; ackAfterMs: number; arriveAfterMs: number; resolveAfterMs: number; outcome: Outcome }
  | { mode: 'decline'; afterMs: number; reason?: string }
  | { mode: 'ignore' };

/** Which dispatches a rule applies to; every given field must match. */
export interface DispatchMatch {
  kind?: AlertKind;
  reason?: DispatchReason;
  priority?: Dispatch['priority'];
  level?: number;
  residentId?: string;
  /** The call's room, or for a wristband alert the resident's home room. */
  room?: string;
}

export type HandsetRule = HandsetPolicy & { when?: DispatchMatch };

/**
 * One policy for every dispatch, or rules tried in order (first match wins, no match = ignore),
 * e.g. "ignore falls, accept the rest" to make a demo alert escalate.
 */
export type HandsetBehaviour = HandsetPolicy | HandsetRule[];

export const quickAccept = (outcome: Outcome = 'assisted'): HandsetPolicy => ({
  mode: 'accept',
  ackAfterMs: 50,
  arriveAfterMs: 100,
  resolveAfterMs: 100,
  outcome,
});

function matches(when: DispatchMatch | undefined, d: Dispatch): boolean {
  if (!when) return true;
  return (
    (when.kind === undefined || when.kind === d.kind) &&
    (when.reason === undefined || when.reason === d.reason) &&
    (when.priority === undefined || when.priority === d.priority) &&
    (when.level === undefined || when.level === d.level) &&
    (when.residentId === undefined || when.residentId === d.residentId) &&
    (when.room === undefined || when.room === (d.room ?? d.homeRoom))
  );
}

/** The policy for one dispatch; a behaviour whose rules all miss ignores it. */
export function policyFor(behaviour: HandsetBehaviour, dispatch: Dispatch): HandsetPolicy {
  if (!Array.isArray(behaviour)) return behaviour;
  const rule = behaviour.find((r) => matches(r.when, dispatch));
  if (!rule) return { mode: 'ignore' };
  const { when: _when, ...policy } = rule;
  return policy as HandsetPolicy;
}

/** A one-line description for timelines: "accept (ack 1s, arrive 2s, resolve 2s → assisted)". */
export function describePolicy(p: HandsetPolicy): string {
  const s = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  switch (p.mode) {
    case 'accept':
      return `accept (ack ${s(p.ackAfterMs)}, arrive ${s(p.arriveAfterMs)}, resolve ${s(p.resolveAfterMs)} → ${p.outcome})`;
    case 'decline':
      return `decline after ${s(p.afterMs)}`;
    case 'ignore':
      return 'ignore';
  }
}
