import { describe, expect, it } from 'vitest';
import { seedClosedAlerts } from '../../src/alerts/history-seed.js';
import { AlertStore } from '../../src/alerts/store.js';
import { openDatabase } from '../../src/core/db.js';
import { makeTempDir } from '../helpers/tmp.js';

/** States in which an alert absorbs a new press (as the alert service asks). */
const WAITING = ['raised', 'dispatched', 'acknowledged'] as const;

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
const places = Array.from({ length: 200 }, (_, i) => ({
  deviceId: `wb-${i}`,
  residentId: `r-${i}`,
  roomId: `room-${i}`,
  zoneId: 'zone-1',
}));

describe('open-alert lookups on years of history', () => {
  it('finds the right open alerts among 180,000 closed ones', () => {
    const file = `${makeTempDir()}/careedge.sqlite`;
    seedClosedAlerts(file, { count: 180_000, places, now: NOW });
    const db = openDatabase(file);
    try {
      const store = new AlertStore(db);
      expect((db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n).toBe(180_000);
      const base = { priority: 'high', zoneId: 'zone-1' } as const;
      const sos = store.insert(
        { ...base, kind: 'sos', deviceId: 'wb-7', residentId: 'r-7', roomId: 'room-7' },
        NOW,
      );
      const call = store.insert(
        { ...base, kind: 'call', deviceId: 'btn-9', residentId: null, roomId: 'room-9' },
        NOW,
      );
      const attended = store.insert(
        { ...base, kind: 'sos', deviceId: 'wb-8', residentId: 'r-8', roomId: 'room-8' },
        NOW,
      );
      store.update(attended, { state: 'attended' });

      expect(store.findOpen(['sos', 'fall'], 'r-7', 'room-7', WAITING)?.id).toBe(sos);
      expect(store.findOpen(['fall'], 'r-7', null, WAITING)).toBeUndefined(); // other kind
      expect(store.findOpen(['sos'], 'r-8', null, WAITING)).toBeUndefined(); // attended absorbs no press
      expect(store.findOpen(['sos'], 'r-3', null, WAITING)).toBeUndefined(); // only closed history
      expect(store.findOpen(['call'], null, 'room-9', WAITING)?.id).toBe(call);
      expect(store.findOpen(['call'], null, 'room-7', WAITING)).toBeUndefined(); // room-7's is a resident's
      expect(store.open().map((a) => a.id)).toEqual([sos, call, attended]);
      expect(store.openCallsInRoom('room-9').map((a) => a.id)).toEqual([call]);
      expect(store.openCallsInRoom('room-7')).toEqual([]);
    } finally {
      db.close();
    }
  }, 60_000);
});
