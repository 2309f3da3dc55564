import { copyOf, type Db } from './db.js';

// Larger than a page, so the probe needs new pages just as a new alert with its audit rows does;
// rewriting an existing row would succeed on a full disk and clear the problem too early.
const PROBE_BYTES = 8192;

class ProbeRolledBack extends Error {}

/**
 * A cheap write test: inserts a multi-page blob and rolls it back, so nothing stays in the file.
 * Returns undefined when SQLite can write, else the error's sentence ("database or disk is full",
 * "attempt to write a readonly database"). Uses a temporary table so it needs no migration and
 * works on a read-only database too (where it fails, as it should).
 */
export function probeStorage(db: Db): string | undefined {
  const original = copyOf(db);
  if (original) {
    return `the SD card is read-only (${original}): running on a copy in RAM, so nothing recorded now survives a restart; replace the card`;
  }
  try {
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS main.storage_probe (b BLOB)');
      db.prepare('INSERT INTO main.storage_probe (b) VALUES (zeroblob(?))').run(PROBE_BYTES);
      throw new ProbeRolledBack();
    })();
  } catch (err) {
    if (err instanceof ProbeRolledBack) return undefined;
    return err instanceof Error ? err.message : String(err);
  }
  return undefined;
}

/**
 * SQLite result codes that mean the storage itself failed (better-sqlite3 puts the extended code
 * on the error: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED …).
 */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/;

/**
 * The sentence of an error that says the storage failed ("database or disk is full"), else
 * undefined. The failed write's own error is the best witness: on a full SD card the probe's
 * rolled-back insert never reaches the disk (a WAL transaction writes nothing until its commit),
 * so it succeeds while every commit that needs new space fails.
 */
export function storageFault(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !STORAGE_CODES.test(code)) return undefined;
  return err instanceof Error ? err.message : code;
}
