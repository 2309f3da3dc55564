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
];

/**
 * The uplink's durable queue, its own SQLite file: a message is committed here before it is
 * published, and deleted only once the upstream broker PUBACKed it, so neither a broker outage
 * nor a gateway restart loses one. AUTOINCREMENT: a `seq` is never reused, even after the rows
 * before it were deleted, so the head office can tell a gap from a resend.
 */
export class UplinkQueue {
  private readonly db: Db;
  private count: number;

  constructor(
    file: string,
    private readonly maxMessages: number,
  ) {
    this.db = openDatabase(file);
    migrate(this.db, MIGRATIONS);
    this.count = (this.db.prepare('SELECT count(*) AS n FROM uplink_queue').get() as { n: number }).n;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Queues a message whose payload carries its own `seq` (hence `render`). Full: the oldest KPI
   * summary makes room, and only when none is left the oldest alert change. Returns the stream of
   * what was dropped, if anything; a message whose id is already queued is not queued twice.
   */
  add(
    stream: UplinkStream,
    id: string,
    topic: string,
    render: (seq: number) => string,
  ): UplinkStream | undefined {
    return this.db.transaction(() => {
      const dropped = this.count >= this.maxMessages ? this.dropOldest() : undefined;
      const r = this.db
        .prepare("INSERT OR IGNORE INTO uplink_queue (id, stream, topic, payload) VALUES (?, ?, ?, '')")
        .run(id, stream, topic);
      if (r.changes === 0) return dropped;
      const seq = Number(r.lastInsertRowid);
      this.db.prepare('UPDATE uplink_queue SET payload = ? WHERE seq = ?').run(render(seq), seq);
      this.count++;
      return dropped;
    })();
  }

  /** Up to `limit` messages after `seq`, oldest first. */
  after(seq: number, limit: number): QueuedMessage[] {
    return this.db
      .prepare('SELECT seq, stream, topic, payload FROM uplink_queue WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(seq, limit) as QueuedMessage[];
  }

  /** Removes messages the broker acknowledged, in one transaction. */
  delete(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    const del = this.db.prepare('DELETE FROM uplink_queue WHERE seq = ?');
    this.db.transaction(() => {
      for (const s of seqs) this.count -= del.run(s).changes;
    })();
  }

  close(): void {
    this.db.close();
  }

  private dropOldest(): UplinkStream | undefined {
    const victim = (this.db
      .prepare("SELECT seq, stream FROM uplink_queue WHERE stream = 'kpis' ORDER BY seq LIMIT 1")
      .get() ?? this.db.prepare('SELECT seq, stream FROM uplink_queue ORDER BY seq LIMIT 1').get()) as
      | { seq: number; stream: UplinkStream }
      | undefined;
    if (!victim) return undefined;
    this.db.prepare('DELETE FROM uplink_queue WHERE seq = ?').run(victim.seq);
    this.count--;
    return victim.stream;
  }
}
