import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Databases opened as a copy of a file on a read-only card, with the file they copy. */
const copies = new WeakMap<Db, string>();

/** The read-only file `db` is a copy of, when the gateway runs on a copy; see openDatabase. */
export const copyOf = (db: Db): string | undefined => copies.get(db);

/**
 * Opens the gateway's SQLite file. WAL lets the API read while ingest writes; synchronous=FULL
 * makes every committed alert, acknowledgement and audit row survive a power cut, because the
 * gateway tells people about them only after the commit.
 *
 * `ramCopy: false` for a file that is no use as a copy (the forwarding outbox: up to a gigabyte of
 * telemetry that could not be kept anyway): on a read-only card it fails instead.
 */
export function openDatabase(file: string, { ramCopy = true }: { ramCopy?: boolean } = {}): Db {
  let db: Db;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // SQLite opens a file it cannot write read-only without a word; a write lock tells.
      db.exec('BEGIN IMMEDIATE; ROLLBACK');
    } catch (err) {
      db.close();
      throw err;
    }
  } catch (err) {
    // A read-only SD card (it fails that way when it wears out): SQLite cannot make the WAL's
    // shared-memory file, and an immutable open would not see what the WAL still holds (an alert
    // raised just before a crash). So the gateway runs on a copy of the file and its WAL in RAM:
    // every alarm is still recorded, escalated and owned, and the write probe reports `storage`
    // (nothing written now survives a restart) until the card is replaced.
    if (!ramCopy || (!isReadOnlyError(err) && !isCannotWrite(err))) throw err;
    db = new Database(copyToRam(file));
    db.pragma('journal_mode = WAL');
    copies.set(db, file);
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

/** Copies the database file and its WAL (if any) to RAM (/dev/shm when there is one). */
function copyToRam(file: string): string {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'careedge-'));
  const copy = join(dir, basename(file));
  for (const suffix of ['', '-wal']) {
    if (!existsSync(file + suffix)) continue;
    copyFileSync(file + suffix, copy + suffix);
    chmodSync(copy + suffix, 0o600); // the copy keeps the read-only mode of the original
  }
  return copy;
}

/** mkdir or open refused by the file system (a read-only mount, no permission). */
function isCannotWrite(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'EROFS' || code === 'EACCES' || code === 'EPERM';
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
