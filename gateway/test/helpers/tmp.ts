import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { type Db, openDatabase } from '../../src/core/db.js';

/** A fresh directory under the OS temp dir, removed when the current test finishes. */
export function makeTempDir(prefix = 'careedge-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real SQLite file in a fresh temp dir; closed, then deleted, when the current test finishes. */
export function openTempDatabase(name = 'gateway.sqlite'): { db: Db; file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'careedge-db-'));
  const file = join(dir, name);
  const db = openDatabase(file);
  onTestFinished(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, file, dir };
}
