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
  it('does not scan the whole queue for a KPI summary to drop', () => {
    const file = join(makeTempDir('careedge-uplink-'), 'uplink.sqlite');
    const rows = 200_000;
    new UplinkQueue(file, rows).close(); // its schema
    const db = new Database(file);
    const insert = db.prepare(
      "INSERT INTO uplink_queue (id, stream, topic, payload) VALUES (?, 'alerts', 't', ?)",
    );
    const payload = 'x'.repeat(400);
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`old-${i}`, payload);
    })();
    db.close();

    const q = new UplinkQueue(file, rows);
    const started = performance.now();
    for (let i = 0; i < 100; i++) q.add('alerts', `new-${i}`, 't', (seq) => `{"seq":${seq}}`);
    const perChangeMs = (performance.now() - started) / 100;
    expect(q.size).toBe(rows);
    expect(q.after(0, 1)[0]!.seq).toBe(101); // the oldest alert changes made room
    q.close();
    // Scanning: about 30 ms each here; with an index: well under 1 ms (5 ms leaves room for a busy machine).
    expect(perChangeMs).toBeLessThan(5);
  });
});
