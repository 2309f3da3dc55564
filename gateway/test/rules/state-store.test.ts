import { describe, expect, it, vi } from 'vitest';
import { SqliteRuleStateStore } from '../../src/rules/state-store.js';
import { openTempDatabase } from '../helpers/tmp.js';

describe('rule state in SQLite', () => {
  it('writes a batch without an fsync (synchronous NORMAL) and leaves the alarm database synced (FULL) after', () => {
    const { db } = openTempDatabase();
    const store = new SqliteRuleStateStore(db);
    const full = db.pragma('synchronous', { simple: true });
    expect(full).toBe(2);
    const seen: unknown[] = [];
    const run = db.transaction.bind(db);
    vi.spyOn(db, 'transaction').mockImplementation(((fn: (...args: unknown[]) => unknown) =>
      run((...args: unknown[]) => {
        seen.push(db.pragma('synchronous', { simple: true }));
        return fn(...args);
      })) as typeof db.transaction);
    store.put({
      subject: 'resident:r1',
      ruleId: 'hr',
      kind: 'vital-threshold',
      deviceId: 'wb-1',
      state: { n: 1 },
      wakeAt: null,
      openAlertId: null,
    });
    store.flush();
    expect(seen).toEqual([1]);
    expect(db.pragma('synchronous', { simple: true })).toBe(full);
    expect(store.all()).toMatchObject([{ subject: 'resident:r1', state: { n: 1 } }]);
  });
});
