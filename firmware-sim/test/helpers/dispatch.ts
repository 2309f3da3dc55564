import type { Dispatch } from '@careedge/edge';

/** A first ('new') dispatch of a high-priority SOS at level 0; tests override what they need. */
export const dispatchMessage = (alertId: number, fields: Partial<Dispatch> = {}): Dispatch => ({
  ts: 0,
  type: 'alert',
  alertId,
  reason: 'new',
  kind: 'sos',
  priority: 'high',
  level: 0,
  raisedAt: 0,
  count: 1,
  zone: 'zone-1',
  ...fields,
});
