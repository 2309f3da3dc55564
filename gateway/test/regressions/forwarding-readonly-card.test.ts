import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OutboxStore } from '../../src/forwarding/outbox-store.js';

const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const STORE = fileURLToPath(new URL('../../src/forwarding/outbox-store.ts', import.meta.url));

describe('found by probing: the card holding a large outbox goes read-only', () => {
  /**
   * core/db.ts runs the gateway on a RAM copy (/dev/shm) of a database on a read-only card, so
   * that alarms are still recorded. The outbox opened its file the same way: its whole backlog,
   * up to forwarding.outbox.maxMb (1 GB by default), was copied into RAM on a Pi with 1-4 GB,
   * into the very tmpfs that holds the alarm database's copy, for telemetry that could not be
   * kept anyway.
   */
  it('refuses to open the outbox instead of copying it into RAM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'careedge-ro-outbox-'));
    chmodSync(dir, 0o755);
    const file = join(dir, 'outbox.sqlite');
    const store = new OutboxStore(file);
    store.add([{ class: 'routine', points: 1, lines: 'x'.repeat(100_000) }], 1);
    store.close();
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o444);
    chmodSync(dir, 0o555);

    // As nobody when run as root (root writes a 0444 file anyway).
    const asRoot = process.getuid?.() === 0;
    const child = spawnSync(
      TSX,
      [
        '-e',
        `import(${JSON.stringify(STORE)}).then(({ OutboxStore }) => {
          try { console.log('opened as', new OutboxStore(${JSON.stringify(file)}).db.name); }
          catch (err) { console.log('refused', err.code ?? '', err.message); }
        });`,
      ],
      { cwd: tmpdir(), encoding: 'utf8', ...(asRoot ? { uid: 65534, gid: 65534 } : {}) },
    );
    chmodSync(dir, 0o755);

    expect(child.stdout, child.stderr).toMatch(/^refused /);
  });
});
