import { describe, expect, it } from 'vitest';
import { AlertArchiver } from '../../src/alerts/archive.js';
import { AlertStore } from '../../src/alerts/store.js';
import type { Db } from '../../src/core/db.js';
import { silentLogger } from '../../src/core/logger.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';

/** Every SQL text prepared on `db` from now on, recorded so each can be EXPLAINed. */
function recordPrepares(db: Db): Set<string> {
  const seen = new Set<string>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    seen.add(sql);
    return prepare(sql);
  }) as Db['prepare'];
  return seen;
}

/** EXPLAIN QUERY PLAN with every parameter bound to NULL (the plan does not depend on values). */
function plan(db: Db, sql: string): string[] {
  const named = [...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!);
  const stmt = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const args = named.length > 0 ? [Object.fromEntries(named.map((n) => [n, null]))] : [];
  const positional = (sql.replace(/'[^']*'/g, '').match(/\?/g) ?? []).length;
  const rows = stmt.all(...args, ...Array(positional).fill(null)) as { detail: string }[];
  return rows.map((r) => r.detail);
}

/** A full read of one of the history tables: what the alarm path must never do. */
const fullScan = /^SCAN (alerts|alert_targets|audit|alerts_archive|alert_targets_archive)\b(?!.*USING)/;

describe('alert store query plans', () => {
  it('uses an index for every statement of the alarm path, the reconnect resend and the archiver', async () => {
    const { db } = openTempDatabase();
    const seen = recordPrepares(db);
    const store = new AlertStore(db);
    // Touch the statements that are prepared on first use: update() by column set, the archiver.
    const id = store.insert(
      { kind: 'sos', priority: 'high', deviceId: 'wb-1', residentId: 'r-1', roomId: 'room-1', zoneId: 'z' },
      1,
    );
    store.update(id, { state: 'dispatched', level: 1 });
    store.update(id, { state: 'resolved', closedAt: 2, outcome: 'assisted' });
    const time = fakeClock();
    await new AlertArchiver({ db, clock: time.clock, log: silentLogger(), archiveAfterDays: 1 }).archiveDue();

    const queries = [...seen].filter((sql) =>
      /^\s*(SELECT|UPDATE|DELETE|INSERT INTO \w+ \(.*\) SELECT)/is.test(sql),
    );
    // The alarm-path reads must be among them, or this test checks nothing.
    for (const must of [
      'resident_id = ?',
      'room_id = ? AND resident_id IS NULL',
      'FROM audit WHERE alert_id',
      'FROM alert_targets WHERE alert_id',
      'closed_at < ?',
    ])
      expect(
        queries.some((q) => q.includes(must)),
        must,
      ).toBe(true);
    // recent(): "SCAN alerts" in the plan, but it walks the rowid b-tree from the newest row and
    // stops after LIMIT rows — it never reads the history. Not on the alarm path either (HTTP list).
    const newestFirst = /FROM alerts ORDER BY id DESC LIMIT \?$/;
    expect(queries.filter((q) => newestFirst.test(q))).toHaveLength(1);
    // An audit page walks one alert's entries, not every entry after auditAfter by rowid (a SEARCH,
    // so the full-scan check below would not see it); /healthz's count reads only the open index.
    const auditPage = queries.find((q) => q.includes('alert_id = ? AND id > ?'));
    expect(plan(db, auditPage!)).toEqual([expect.stringMatching(/audit_alert \(alert_id=\? AND id>\?\)/)]);
    const countOpen = queries.find((q) => q.startsWith('SELECT count(*) AS n FROM alerts WHERE'));
    expect(plan(db, countOpen!)).toEqual(['SCAN alerts USING COVERING INDEX alerts_open']);
    for (const sql of queries.filter((q) => !newestFirst.test(q))) {
      const detail = plan(db, sql.replace(/^INSERT INTO \w+ \([^)]*\)\s*/is, ''));
      expect(
        detail.filter((d) => fullScan.test(d)),
        `${sql}\n→ ${detail.join(' | ')}`,
      ).toEqual([]);
    }
  });

  it('flags a full scan, so the check above can fail', () => {
    const { db } = openTempDatabase();
    new AlertStore(db);
    expect(plan(db, `SELECT id FROM alerts WHERE note = ?`).some((d) => fullScan.test(d))).toBe(true);
  });
});
