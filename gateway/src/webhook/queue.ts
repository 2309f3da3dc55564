import { type Db, migrate } from '../core/db.js';

export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** One delivery as the webhook table keeps it. */
export interface WebhookDelivery {
  /** The stable delivery id (`x-careedge-delivery`): the same on every attempt and after restarts. */
  id: string;
  seq: number;
  alertId: number | null;
  event: string;
  /** The exact bytes sent on every attempt. */
  body: Buffer;
  state: DeliveryState;
  /** Attempts begun (one still in flight counts). */
  attempts: number;
  /** Gateway clock of the next attempt (pending). */
  nextAt: number;
  createdAt: number;
  /** When it was delivered or given up. */
  doneAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
}

export type DeadLetter = Omit<WebhookDelivery, 'body' | 'state' | 'nextAt'> & { doneAt: number };

const MIGRATIONS = [
  {
    name: 'webhook-001-deliveries',
    sql: `CREATE TABLE webhook_deliveries (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      alert_id INTEGER,
      event TEXT NOT NULL,
      body BLOB NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      done_at INTEGER,
      last_status INTEGER,
      last_error TEXT
    );
    CREATE INDEX webhook_deliveries_state ON webhook_deliveries (state, next_at)`,
  },
];

const COLUMNS = `id, seq, alert_id AS alertId, event, body, state, attempts, next_at AS nextAt,
  created_at AS createdAt, done_at AS doneAt, last_status AS lastStatus, last_error AS lastError`;

/**
 * The webhook's durable queue: a table of the gateway database (see README "Webhook for paging
 * systems" for why not a file of its own). A delivery is committed here before anyone is told it
 * was queued, and it stays after it was delivered or given up, until the table is full
 * (`maxRows`): then the oldest finished one makes room. A pending delivery is never dropped: a
 * table full of them refuses the next (the caller counts it).
 */
export class WebhookQueue {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly db: Db,
    private readonly maxRows: number,
  ) {
    migrate(db, MIGRATIONS);
    this.sql = statements(db);
  }

  /**
   * Rows by state, counted in SQLite rather than kept in memory: an add inside a caller's
   * transaction that is rolled back leaves nothing to correct (the index makes this cheap).
   */
  counts(): Record<DeliveryState, number> {
    const counts: Record<DeliveryState, number> = { pending: 0, delivered: 0, dead: 0 };
    for (const r of this.sql.counts.all() as { state: DeliveryState; n: number }[]) counts[r.state] = r.n;
    return counts;
  }

  /**
   * Queues a delivery, due at once. Returns how many finished rows were pruned to make room, or
   * undefined (nothing written) when every row is still pending. Runs in the caller's
   * transaction when there is one (better-sqlite3 nests it as a savepoint).
   */
  add(
    d: { id: string; alertId: number | null; event: string; body: Buffer },
    now: number,
  ): number | undefined {
    return this.db.transaction(() => {
      const { pending, delivered, dead } = this.counts();
      const over = pending + delivered + dead + 1 - this.maxRows;
      if (over > delivered + dead) return undefined;
      const pruned = over > 0 ? this.sql.pruneDone.run(over).changes : 0;
      this.sql.insert.run(d.id, d.alertId, d.event, d.body, now, now);
      return pruned;
    })();
  }

  /**
   * The pending delivery to try next: due by `now`, or so far ahead (beyond `horizonMs`, the
   * longest wait ever set) that the clock must have stepped back since it was set.
   */
  due(now: number, horizonMs: number): WebhookDelivery | undefined {
    return this.sql.due.get(now, now + horizonMs) as WebhookDelivery | undefined;
  }

  /** When the earliest pending delivery is due; undefined with none pending. */
  nextAt(): number | undefined {
    return (this.sql.nextAt.get() as { at: number | null }).at ?? undefined;
  }

  /** An attempt begins: counted before the request, so a crash during it still counts it. */
  attempting(id: string): number {
    return (this.sql.attempting.get(id) as { attempts: number }).attempts;
  }

  delivered(id: string, now: number, status: number): void {
    this.sql.finish.run('delivered', now, status, null, id);
  }

  dead(id: string, now: number, status: number | undefined, error: string): void {
    this.sql.finish.run('dead', now, status ?? null, error, id);
  }

  retryAt(id: string, at: number, status: number | undefined, error: string): void {
    this.sql.retry.run(at, status ?? null, error, id);
  }

  get(id: string): WebhookDelivery | undefined {
    return this.sql.get.get(id) as WebhookDelivery | undefined;
  }

  /** Dead letters, the latest given up first. */
  deadLetters(limit: number): DeadLetter[] {
    return this.sql.deadLetters.all(limit) as DeadLetter[];
  }
}

const statements = (db: Db) => ({
  counts: db.prepare('SELECT state, count(*) AS n FROM webhook_deliveries GROUP BY state'),
  insert: db.prepare(
    `INSERT INTO webhook_deliveries (id, alert_id, event, body, state, next_at, created_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
  ),
  pruneDone: db.prepare(
    `DELETE FROM webhook_deliveries WHERE seq IN
       (SELECT seq FROM webhook_deliveries WHERE state != 'pending' ORDER BY seq LIMIT ?)`,
  ),
  due: db.prepare(
    `SELECT ${COLUMNS} FROM webhook_deliveries
     WHERE state = 'pending' AND (next_at <= ? OR next_at > ?) ORDER BY next_at, seq LIMIT 1`,
  ),
  nextAt: db.prepare("SELECT min(next_at) AS at FROM webhook_deliveries WHERE state = 'pending'"),
  attempting: db.prepare(
    'UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = ? RETURNING attempts',
  ),
  retry: db.prepare(
    "UPDATE webhook_deliveries SET next_at = ?, last_status = ?, last_error = ? WHERE id = ? AND state = 'pending'",
  ),
  finish: db.prepare(
    `UPDATE webhook_deliveries SET state = ?, done_at = ?, last_status = ?, last_error = ?
     WHERE id = ? AND state = 'pending'`,
  ),
  get: db.prepare(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = ?`),
  deadLetters: db.prepare(
    `SELECT id, seq, alert_id AS alertId, event, attempts, created_at AS createdAt, done_at AS doneAt,
       last_status AS lastStatus, last_error AS lastError
     FROM webhook_deliveries WHERE state = 'dead' ORDER BY done_at DESC, seq DESC LIMIT ?`,
  ),
});
