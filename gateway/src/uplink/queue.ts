import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Db, migrate, openDatabase } from '../core/db.js';

export type UplinkStream = 'alerts' | 'kpis';

export interface QueuedMessage {
  seq: number;
  stream: UplinkStream;
  topic: string;
  payload: string;
}

const MIGRATIONS = [
  {
    name: 'uplink-001-queue',
    sql: `CREATE TABLE uplink_queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      stream TEXT NOT NULL,
      topic TEXT NOT NULL,
      payload TEXT NOT NULL
    )`,
  },
  {
    // A full queue looks for its oldest KPI summary at every add; once none is left, without this
    // index that read every row on the event loop (about 30 ms an alert change at 200,000 rows).
    // An index on stream is ordered by rowid (seq) within it.
    name: 'uplink-002-stream-index',
    sql: 'CREATE INDEX uplink_queue_stream ON uplink_queue (stream)',
  },
];

/**
 * The uplink's durable queue, its own SQLite file: a message is committed here before it is
 * published, and deleted only once the upstream broker PUBACKed it, so neither a broker outage
 * nor a gateway restart loses one. AUTOINCREMENT: a `seq` is never reused, even after the rows
 * before it were deleted, so the head office can tell a gap from a resend.
 */
export class UplinkQueue {
  private readonly db: Db;
  private readonly sql: ReturnType<typeof statements>;
  private count: number;

  /**
   * `keepFreeBytes`: the disk of `file` is shared with the alarm database; while it has less
   * free than this, the queue counts as full and does not grow (a row dropped frees a page the
   * next one reuses). `freeBytes` reads the disk's free space (statfs; injectable for tests).
   */
  constructor(
    file: string,
    private readonly maxMessages: number,
    private readonly keepFreeBytes = 0,
    private readonly freeBytes: () => number = () => {
      const { bavail, bsize } = statfsSync(dirname(file));
      return bavail * bsize;
    },
  ) {
    this.db = openDatabase(file);
    migrate(this.db, MIGRATIONS);
    this.sql = statements(this.db);
    this.count = (this.db.prepare('SELECT count(*) AS n FROM uplink_queue').get() as { n: number }).n;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Queues a message whose payload carries its own `seq` (hence `render`). Full (maxMessages, or
   * the disk below its reserve): the oldest KPI summary makes room, and only when none is left the oldest alert change. Returns the stream of
   * what was dropped, if anything; a message whose id is already queued is not queued twice.
   */
  add(
    stream: UplinkStream,
    id: string,
    topic: string,
    render: (seq: number) => string,
  ): UplinkStream | undefined {
    return this.db.transaction(() => {
      // Looked up rather than INSERT OR IGNORE, which would use up a seq and fake a gap upstream.
      if (this.sql.has.get(id)) return undefined;
      const dropped = this.count >= this.maxMessages || this.diskShort() ? this.dropOldest() : undefined;
      const seq = Number(this.sql.insert.run(id, stream, topic).lastInsertRowid);
      this.sql.render.run(render(seq), seq);
      this.count++;
      return dropped;
    })();
  }

  /** Up to `limit` messages after `seq`, oldest first. */
  after(seq: number, limit: number): QueuedMessage[] {
    return this.sql.after.all(seq, limit) as QueuedMessage[];
  }

  /** Removes messages the broker acknowledged, in one transaction. */
  delete(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.db.transaction(() => {
      for (const s of seqs) this.count -= this.sql.delete.run(s).changes;
    })();
  }

  close(): void {
    this.db.close();
  }

  /** The disk has less free than the reserve (an unreadable disk counts as fine: the write decides). */
  private diskShort(): boolean {
    if (this.keepFreeBytes <= 0) return false;
    try {
      return this.freeBytes() < this.keepFreeBytes;
    } catch {
      return false;
    }
  }

  private dropOldest(): UplinkStream | undefined {
    const victim = (this.sql.oldestKpi.get() ?? this.sql.oldest.get()) as
      | { seq: number; stream: UplinkStream }
      | undefined;
    if (!victim) return undefined;
    this.sql.delete.run(victim.seq);
    this.count--;
    return victim.stream;
  }
}

const statements = (db: Db) => ({
  has: db.prepare('SELECT 1 FROM uplink_queue WHERE id = ?'),
  insert: db.prepare("INSERT INTO uplink_queue (id, stream, topic, payload) VALUES (?, ?, ?, '')"),
  render: db.prepare('UPDATE uplink_queue SET payload = ? WHERE seq = ?'),
  after: db.prepare(
    'SELECT seq, stream, topic, payload FROM uplink_queue WHERE seq > ? ORDER BY seq LIMIT ?',
  ),
  delete: db.prepare('DELETE FROM uplink_queue WHERE seq = ?'),
  oldestKpi: db.prepare("SELECT seq, stream FROM uplink_queue WHERE stream = 'kpis' ORDER BY seq LIMIT 1"),
  oldest: db.prepare('SELECT seq, stream FROM uplink_queue ORDER BY seq LIMIT 1'),
});
