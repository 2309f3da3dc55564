import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

// better-sqlite3 reads this once, when its addon loads (the first `new Database`): URI file names
// let a read-only disk be opened `immutable`, the one way SQLite reads a WAL database whose
// shared-memory file it cannot create. Names not starting with `file:` are unaffected.
process.env.SQLITE_USE_URI ??= '1';

/**
 * Opens the gateway's SQLite file. WAL lets the API read while ingest writes; synchronous=FULL
 * makes every committed alert, acknowledgement and audit row survive a power cut, because the
 * gateway tells people about them only after the commit.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
  } catch (err) {
    // A read-only SD card: WAL cannot make its shared-memory file. Open read-only so the
    // gateway still starts and dispatches from memory; the write probe reports `storage`.
    if (!isReadOnlyError(err)) throw err;
    db.close();
    db = new Database(`file:${encodeURI(file)}?immutable=1`, { readonly: true, fileMustExist: true });
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 waits for a lock synchronously, on the one event loop that also runs the broker
  // and every alarm: 5 s would freeze all of them while a backup or the sqlite3 CLI holds the file.
  // 200 ms bounds that freeze; a write that still finds the file locked fails and the alarm path
  // retries it, which is better than stalling every other alarm behind it.
  db.pragma('busy_timeout = 200');
  if (!hasTable(db, 'schema_migrations')) {
    db.exec(`CREATE TABLE schema_migrations (
      name TEXT PRIMARY KEY,
      applied_at INTEGER NOT NULL
    )`);
  }
  return db;
}

/** SQLITE_READONLY and its extended codes (…_DIRECTORY, …_DBMOVED), or a file it cannot open. */
export function isReadOnlyError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN');
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
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
