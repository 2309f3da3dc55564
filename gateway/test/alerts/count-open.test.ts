import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../src/alerts/model.js';
import { AlertStore } from '../../src/alerts/store.js';
import { openTempDatabase } from '../helpers/tmp.js';

describe('AlertStore.countOpen (/healthz)', () => {
  it('counts what open() lists in every state: raised, dispatched, acknowledged, attended; not resolved or cancelled', () => {
    const { db } = openTempDatabase();
    const store = new AlertStore(db);
    const states: AlertState[] = [
      'raised',
      'dispatched',
      'acknowledged',
      'attended',
      'resolved',
      'cancelled',
    ];
    for (const [i, state] of states.entries()) {
      const id = store.insert(
        {
          kind: 'sos',
          priority: 'high',
          deviceId: `wb-${i}`,
          residentId: `r-${i}`,
          roomId: 'room-1',
          zoneId: 'z',
        },
        1,
      );
      if (state === 'resolved' || state === 'cancelled')
        store.update(id, { state, closedAt: 2, outcome: 'assisted' });
      else if (state !== 'raised') store.update(id, { state });
      expect(store.countOpen(), state).toBe(store.open().length);
    }
    expect(store.open().map((a) => a.state)).toEqual(['raised', 'dispatched', 'acknowledged', 'attended']);
    expect(store.countOpen()).toBe(4);
  });
});
