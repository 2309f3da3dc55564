import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UplinkQueue } from '../../src/uplink/queue.js';
import { makeTempDir } from '../helpers/tmp.js';

/**
 * found by probing: a full uplink queue (a long head office outage) read the whole table for
 * every alert change. Full, the oldest KPI summary makes room first, so within minutes none is
 * left; looking for one then scanned every row (no index on the stream): about 30 ms on the
 * event loop per alert change with 200,000 queued, 30 s for a burst of 1,000, while the same
 * loop runs the site broker and the alarm path.
 */
describe('found by probing: an alert change queued while the uplink queue is full', () => {
  it('looks for a KPI summary to drop through the index, not by scanning the queue', () => {
    const file = join(makeTempDir('careedge-uplink-'), 'uplink.sqlite');
    const rows = 2_000;
    new UplinkQueue(file, rows).close(); // its schema
    const db = new Database(file);
    const insert = db.prepare(
      "INSERT INTO uplink_queue (id, stream, topic, payload) VALUES (?, 'alerts', 't', ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`old-${i}`, 'x'.repeat(400));
    })();
    // The query a full queue runs for every alert change (queue.ts, oldestKpi): speed is the
    // bench's business, the plan is this test's. A scan would read every queued row.
    const plan = (
      db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT seq, stream FROM uplink_queue WHERE stream = 'kpis' ORDER BY seq LIMIT 1",
        )
        .all() as { detail: string }[]
    ).map((r) => r.detail);
    db.close();
    expect(plan.join('; ')).toMatch(/USING (COVERING )?INDEX uplink_queue_stream/);
    expect(plan.join('; ')).not.toMatch(/^SCAN uplink_queue$|SCAN uplink_queue(?! USING)/);

    const q = new UplinkQueue(file, rows);
    for (let i = 0; i < 10; i++) q.add('alerts', `new-${i}`, 't', (seq) => `{"seq":${seq}}`);
    expect(q.size).toBe(rows);
    expect(q.after(0, 1)[0]!.seq).toBe(11); // the oldest alert changes made room
    q.close();
  });
});
