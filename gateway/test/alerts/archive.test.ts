import { describe, expect, it } from 'vitest';
import { AlertArchiver } from '../../src/alerts/archive.js';
import { AlertStore, migrations } from '../../src/alerts/store.js';
import { migrate } from '../../src/core/db.js';
import { silentLogger } from '../../src/core/logger.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { testGateway } from '../helpers/gateway.js';
import { openTempDatabase } from '../helpers/tmp.js';

const DAY = 86_400_000;

function closedAlert(
  store: AlertStore,
  closedAt: number,
  state: 'resolved' | 'cancelled' = 'resolved',
): number {
  const id = store.insert(
    { kind: 'sos', priority: 'high', deviceId: 'wb-1', residentId: 'r-1', roomId: 'room-1', zoneId: 'z' },
    closedAt - 60_000,
  );
  store.addTarget(id, 0, 'alice', closedAt - 59_000);
  store.appendAudit({
    alertId: id,
    at: closedAt - 60_000,
    actor: 'device:wb-1',
    action: 'raised',
    fromState: null,
    toState: 'raised',
    detail: {},
  });
  store.update(id, { state, closedAt, outcome: state === 'resolved' ? 'assisted' : 'cancelled' });
  store.appendAudit({
    alertId: id,
    at: closedAt,
    actor: 'staff:alice',
    action: state,
    fromState: 'raised',
    toState: state,
    detail: { n: id },
  });
  return id;
}

const auditRows = (store: AlertStore) =>
  store.db.prepare('SELECT * FROM audit ORDER BY id').all() as Record<string, unknown>[];

describe('archiving closed alerts', () => {
  it('moves old closed alerts and their targets in batches; open and recent ones stay; audit untouched', async () => {
    const { db } = openTempDatabase();
    const store = new AlertStore(db);
    const time = fakeClock();
    const now = time.clock.now();
    const old = [1, 2, 3, 4, 5].map((i) =>
      closedAlert(store, now - (90 + i) * DAY, i % 2 ? 'resolved' : 'cancelled'),
    );
    const recent = closedAlert(store, now - 89 * DAY);
    const open = store.insert(
      { kind: 'sos', priority: 'high', deviceId: 'wb-2', residentId: 'r-2', roomId: 'room-2', zoneId: 'z' },
      now - 400 * DAY, // open for ever: never archived, however old
    );
    const auditBefore = auditRows(store);

    const archiver = new AlertArchiver({
      db,
      clock: time.clock,
      log: silentLogger(),
      archiveAfterDays: 90,
      batchSize: 2,
    });
    expect(await archiver.archiveDue()).toBe(5);

    for (const id of old) {
      expect(store.get(id)).toBeUndefined();
      expect(store.targets(id)).toEqual([]);
      const archived = store.getArchived(id);
      expect(archived?.alert).toMatchObject({
        id,
        state: expect.stringMatching(/resolved|cancelled/),
        residentId: 'r-1',
      });
      expect(archived?.targets).toMatchObject([{ level: 0, staffId: 'alice' }]);
      expect(store.audit(id).map((a) => a.action)).toEqual(['raised', store.getArchived(id)?.alert.state]);
    }
    expect(store.get(recent)?.state).toBe('resolved');
    expect(store.get(open)?.state).toBe('raised');
    expect(store.getArchived(recent)).toBeUndefined();
    expect(auditRows(store)).toEqual(auditBefore);
    expect(await archiver.archiveDue()).toBe(0);
  });

  it('keeps the audit trail append-only after the rebuild', () => {
    const { db } = openTempDatabase();
    const store = new AlertStore(db);
    const id = closedAlert(store, Date.UTC(2026, 0, 1));
    expect(() => db.prepare('UPDATE audit SET actor = ? WHERE alert_id = ?').run('x', id)).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM audit WHERE alert_id = ?').run(id)).toThrow(/append-only/);
    expect(store.audit(id)).toHaveLength(2);
  });

  it('migrating an existing database keeps every audit row and id, and drops only the FK to alerts', () => {
    const { db } = openTempDatabase();
    migrate(
      db,
      migrations.filter((m) => m.name === 'alerts-1'),
    );
    db.exec(`INSERT INTO alerts (id, kind, priority, state, device_id, zone_id, raised_at, updated_at, last_trigger_at)
               VALUES (3, 'sos', 'high', 'raised', 'wb-1', 'z', 1, 1, 1);
             INSERT INTO audit (id, alert_id, at, actor, action, to_state) VALUES (7, 3, 1, 'device:wb-1', 'raised', 'raised');
             INSERT INTO audit (id, alert_id, at, actor, action, detail) VALUES (9, 3, 2, 'system', 'noted', '{"a":1}');`);
    expect(db.pragma('foreign_key_list(audit)')).toHaveLength(1);
    const before = db.prepare('SELECT * FROM audit ORDER BY id').all();

    const store = new AlertStore(db); // applies the remaining migrations

    expect(db.prepare('SELECT * FROM audit ORDER BY id').all()).toEqual(before);
    expect(db.pragma('foreign_key_list(audit)')).toEqual([]);
    const triggers = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit' ORDER BY name`)
      .all();
    expect(triggers).toEqual([{ name: 'audit_no_delete' }, { name: 'audit_no_update' }]);
    store.appendAudit({
      alertId: 3,
      at: 3,
      actor: 'system',
      action: 'noted',
      fromState: null,
      toState: null,
      detail: {},
    });
    expect(store.audit(3).map((a) => a.id)).toEqual([7, 9, 10]); // ids continue, never reused
  });

  it('runs at start-up and then daily on the clock', async () => {
    const { db } = openTempDatabase();
    const store = new AlertStore(db);
    const time = fakeClock();
    const id = closedAlert(store, time.clock.now());
    const archiver = new AlertArchiver({ db, clock: time.clock, log: silentLogger(), archiveAfterDays: 90 });
    archiver.start();
    await time.tick(90 * DAY);
    expect(store.get(id)).toBeDefined(); // closed exactly 90 days ago: not older yet
    await time.tick(DAY);
    expect(store.get(id)).toBeUndefined();
    expect(store.getArchived(id)?.alert.id).toBe(id);
    await archiver.stop();
  });
});

describe('GET /api/v1/alerts/:id', () => {
  it('answers an archived alert with its targets and audit trail', async () => {
    const g = await testGateway();
    try {
      const store = g.gateway.context.alertStore;
      const id = closedAlert(store, g.clock.now());
      await g.tick(91 * DAY); // the gateway's own archiver, started by app.ts, moves it
      expect(store.get(id)).toBeUndefined();
      const res = await g.api().inject({
        method: 'GET',
        url: `/api/v1/alerts/${id}`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        alert: { id, state: 'resolved' },
        targets: [{ staffId: 'alice' }],
        audit: [{ action: 'raised' }, { action: 'resolved' }],
        archived: true,
      });
      const missing = await g.api().inject({
        method: 'GET',
        url: '/api/v1/alerts/999999',
      });
      expect(missing.statusCode).toBe(404);
    } finally {
      await g.stop();
    }
  });
});
