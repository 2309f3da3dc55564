import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the gateway's SQLite file. WAL lets the API read while ingest writes; synchronous=FULL
 * makes every committed alert, acknowledgement and audit row survive a power cut, because the
 * gateway tells people about them only after the commit.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 waits for a lock synchronously, on the one event loop that also runs the broker
  // and every alarm: 5 s would freeze all of them while a backup or the sqlite3 CLI holds the file.
  // 200 ms bounds that freeze; a write that still finds the file locked fails and the alarm path
  // retries it, which is better than stalling every other alarm behind it.
  db.pragma('busy_timeout = 200');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`);
  return db;
}

/**
 * Applies each named migration once, in order. Feature modules own their tables and call this
 * with their own names ("register-1", "alerts-1", …), so modules stay independent.
 */
export function migrate(db: Db, migrations: ReadonlyArray<{ name: string; sql: string }>): void {
  const applied = new Set(
    (db.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map((r) => r.name),
  );
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (applied.has(m.name)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.name, Date.now());
    })();
  }
}
