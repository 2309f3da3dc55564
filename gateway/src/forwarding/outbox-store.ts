import { type Db, migrate, openDatabase } from '../core/db.js';
import type { PointClass } from './measurements.js';

const migrations = [
  {
    name: 'outbox-1',
    sql: `
      CREATE TABLE outbox_chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        class TEXT NOT NULL CHECK (class IN ('routine', 'precious')),
        points INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        lines TEXT NOT NULL,
        queued_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_chunks_class ON outbox_chunks (class, id);
      CREATE TABLE outbox_dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        error TEXT NOT NULL,
        line TEXT NOT NULL
      );
    `,
  },
];

/**
 * Dead letters kept (the newest; about 2 MB): enough to see what InfluxDB refuses and why, while
 * a device that sends only refused points (a clock back at 1970, before the retention policy)
 * cannot fill the card.
 */
const DEAD_LETTERS_KEPT = 10_000;

export interface Chunk {
  id: number;
  class: PointClass;
  points: number;
  lines: string;
}

export interface NewChunk {
  class: PointClass;
  points: number;
  lines: string;
}

/**
 * The outbox's own SQLite file (not the gateway's careedge.sqlite): telemetry at 20,000 points a
 * second must not share a write lock or a WAL with the alarm path. Points are stored in chunks,
 * one row per hand-over batch and class, so 20,000 points a second cost a few transactions, not
 * 20,000.
 *
 * synchronous=NORMAL for routine chunks: in WAL mode a commit then survives a crash of the
 * gateway process (kill -9) and only a power cut or kernel crash can lose the last commits —
 * acceptable for telemetry, whose next reading follows within seconds. A commit holding precious
 * points (alerts, workload) is made with synchronous=FULL.
 */
export class OutboxStore {
  readonly db: Db;
  private readonly q;
  /** Payload bytes and points held, kept in memory so each hand-over costs no COUNT query. */
  bytes = 0;
  points = 0;

  constructor(file: string) {
    // Never a RAM copy: on a read-only card the outbox fails to open, and forwarding with it.
    this.db = openDatabase(file, { ramCopy: false });
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db, migrations);
    const db = this.db;
    this.q = {
      insert: db.prepare(
        'INSERT INTO outbox_chunks (class, points, bytes, lines, queued_at) VALUES (?, ?, ?, ?, ?)',
      ),
      oldest: db.prepare(
        'SELECT id, class, points, lines FROM outbox_chunks WHERE id > ? ORDER BY id LIMIT ?',
      ),
      delete: db.prepare('DELETE FROM outbox_chunks WHERE id = ? RETURNING points, bytes'),
      oldestRoutine: db.prepare("SELECT id FROM outbox_chunks WHERE class = 'routine' ORDER BY id LIMIT 1"),
      deadLetter: db.prepare('INSERT INTO outbox_dead_letters (at, error, line) VALUES (?, ?, ?)'),
      oldDeadLetters: db.prepare(
        'DELETE FROM outbox_dead_letters WHERE id <= (SELECT MAX(id) FROM outbox_dead_letters) - ?',
      ),
      totals: db.prepare(
        'SELECT COALESCE(SUM(bytes), 0) AS bytes, COALESCE(SUM(points), 0) AS points FROM outbox_chunks',
      ),
    };
    const t = this.q.totals.get() as { bytes: number; points: number };
    this.bytes = t.bytes;
    this.points = t.points;
  }

  /** Stores the chunks of one hand-over in one transaction; durable when this returns. */
  add(chunks: readonly NewChunk[], now: number): void {
    const precious = chunks.some((c) => c.class === 'precious');
    if (precious) this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => {
        for (const c of chunks)
          this.q.insert.run(c.class, c.points, Buffer.byteLength(c.lines), c.lines, now);
      })();
    } finally {
      if (precious) this.db.pragma('synchronous = NORMAL');
    }
    for (const c of chunks) {
      this.bytes += Buffer.byteLength(c.lines);
      this.points += c.points;
    }
  }

  /** The oldest chunks after `afterId`, up to about `maxPoints` points (at least one chunk). */
  next(maxPoints: number, afterId = 0): Chunk[] {
    const out: Chunk[] = [];
    let points = 0;
    for (const row of this.q.oldest.iterate(afterId, 64) as Iterable<Chunk>) {
      if (out.length > 0 && points + row.points > maxPoints) break;
      out.push(row);
      points += row.points;
    }
    return out;
  }

  /**
   * InfluxDB confirmed these chunks: they leave, with the lines it refused parked as dead letters
   * (the oldest dead letters beyond DEAD_LETTERS_KEPT go).
   */
  confirm(ids: readonly number[], dead: readonly { line: string; error: string }[], now: number): void {
    this.db.transaction(() => {
      for (const id of ids)
        this.forget(this.q.delete.get(id) as { points: number; bytes: number } | undefined);
      for (const d of dead) this.q.deadLetter.run(now, d.error, d.line);
      if (dead.length > 0) this.q.oldDeadLetters.run(DEAD_LETTERS_KEPT);
    })();
  }

  /**
   * Drops the oldest routine chunks until the payload is at most `maxBytes`. Precious chunks are
   * never dropped, even above the limit. When the oldest routine chunk is `busy` (being written),
   * nothing newer is dropped in its place: trimming waits for that write to end (the limit may be
   * passed by a hand-over or two meanwhile). Returns the points dropped.
   */
  trim(maxBytes: number, busy: readonly number[]): number {
    let dropped = 0;
    this.db.transaction(() => {
      while (this.bytes > maxBytes) {
        const row = this.q.oldestRoutine.get() as { id: number } | undefined;
        if (!row || busy.includes(row.id)) break;
        const gone = this.q.delete.get(row.id) as { points: number; bytes: number };
        this.forget(gone);
        dropped += gone.points;
      }
    })();
    return dropped;
  }

  /** Bytes of the file's free pages, which new chunks fill before the file grows. */
  reusableBytes(): number {
    const pages = this.db.pragma('freelist_count', { simple: true }) as number;
    return pages * (this.db.pragma('page_size', { simple: true }) as number);
  }

  deadLetters(): { at: number; error: string; line: string }[] {
    return this.db.prepare('SELECT at, error, line FROM outbox_dead_letters ORDER BY id').all() as {
      at: number;
      error: string;
      line: string;
    }[];
  }

  close(): void {
    this.db.close();
  }

  private forget(row: { points: number; bytes: number } | undefined): void {
    if (!row) return;
    this.bytes -= row.bytes;
    this.points -= row.points;
  }
}
