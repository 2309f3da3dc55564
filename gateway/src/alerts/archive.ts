import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { GatewayModule } from '../core/module.js';

const DAY_MS = 86_400_000;

export interface ArchiverDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Closed alerts older than this (by closed_at) leave the live table. */
  archiveAfterDays: number;
  /** Rows per transaction: small, so the broker and alarms never wait long on one. */
  batchSize?: number;
}

/**
 * Keeps the live `alerts` table small: resolved and cancelled alerts older than
 * `alerts.archiveAfterDays` move, with their dispatch targets, into `alerts_archive` and
 * `alert_targets_archive`. The audit trail is not touched — it is append-only and has no foreign
 * key to alerts since migration alerts-archive-1, so an archived alert keeps every audit row.
 *
 * Runs once when started (after the gateway is ready) and then daily on the injected clock, in
 * batches of `batchSize` rows per transaction, yielding to the event loop between batches.
 */
export class AlertArchiver implements GatewayModule {
  readonly name = 'alert-archive';
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly batchSize: number;

  constructor(private readonly deps: ArchiverDeps) {
    this.batchSize = deps.batchSize ?? 500;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Archives everything due now; resolves with how many alerts moved. */
  async archiveDue(): Promise<number> {
    const cutoff = this.deps.clock.now() - this.deps.archiveAfterDays * DAY_MS;
    const move = prepareMove(this.deps.db);
    let moved = 0;
    for (;;) {
      if (this.stopped) break;
      const n = move(cutoff, this.batchSize);
      moved += n;
      if (n < this.batchSize) break;
      // Let the broker and any alarm in the queue run before the next batch.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return moved;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.running = this.archiveDue()
        .then((moved) => {
          if (moved > 0) this.deps.log.info({ moved }, 'closed alerts archived');
        })
        .catch((err: unknown) => {
          // Archiving is housekeeping: a failure is logged and tried again tomorrow, never fatal.
          this.deps.log.error({ err }, 'archiving closed alerts failed; trying again in a day');
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(DAY_MS);
        });
    }, ms);
  }
}

/** The columns of a table, so rows are copied whole even after a later migration adds columns. */
function columnsOf(db: Db, table: string): { name: string; type: string }[] {
  return db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(table) as {
    name: string;
    type: string;
  }[];
}

/** Gives `archive` every column `live` has: another migration may add columns to the live table. */
function matchColumns(db: Db, live: string, archive: string): string {
  const have = new Set(columnsOf(db, archive).map((c) => c.name));
  const cols = columnsOf(db, live);
  for (const c of cols)
    if (!have.has(c.name)) db.exec(`ALTER TABLE ${archive} ADD COLUMN "${c.name}" ${c.type}`);
  return cols.map((c) => `"${c.name}"`).join(', ');
}

/** One batch: copy, then delete, in one transaction, oldest closed first. Returns the rows moved. */
function prepareMove(db: Db): (cutoff: number, limit: number) => number {
  const alertCols = matchColumns(db, 'alerts', 'alerts_archive');
  const targetCols = matchColumns(db, 'alert_targets', 'alert_targets_archive');
  // The WHERE repeats the alerts_closed index's own expression so SQLite uses it.
  const due = db.prepare(
    `SELECT id FROM alerts WHERE state IN ('resolved', 'cancelled') AND closed_at < ? ORDER BY closed_at LIMIT ?`,
  );
  const ids = `(SELECT value FROM json_each(?))`;
  const copyAlerts = db.prepare(
    `INSERT INTO alerts_archive (${alertCols}) SELECT ${alertCols} FROM alerts WHERE id IN ${ids}`,
  );
  const copyTargets = db.prepare(
    `INSERT INTO alert_targets_archive (${targetCols}) SELECT ${targetCols} FROM alert_targets WHERE alert_id IN ${ids}`,
  );
  const dropTargets = db.prepare(`DELETE FROM alert_targets WHERE alert_id IN ${ids}`);
  const dropAlerts = db.prepare(`DELETE FROM alerts WHERE id IN ${ids}`);
  return db.transaction((cutoff: number, limit: number) => {
    const list = JSON.stringify((due.all(cutoff, limit) as { id: number }[]).map((r) => r.id));
    copyAlerts.run(list);
    copyTargets.run(list);
    dropTargets.run(list);
    return dropAlerts.run(list).changes;
  });
}
