import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretOf, testGateway } from '../helpers/gateway.js';
import { onTopic, TestClient } from '../helpers/mqtt-client.js';
import { spawnNobodyGateway } from '../helpers/nobody-gateway.js';

/** Runs a gateway, raises Rose's SOS, and copies what the card holds at that moment (main file + WAL). */
async function crashWithOpenSos(top: string, checkpointFirst: boolean) {
  const live = join(top, 'live');
  const g = await testGateway({ dataDir: live });
  if (checkpointFirst) await g.restart(); // a clean stop checkpoints: the main file has the schema
  const band = await g.device('wb-1');
  const alice = await g.handset('alice');
  await band.send('deviceEvent', { type: 'sos' });
  const { alertId } = (await alice.next(onTopic('dispatch', { type: 'alert', reason: 'new' }))).payload;
  await g.settled();
  const crashed = join(top, 'crashed');
  mkdirSync(crashed);
  const files = readdirSync(live);
  expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
  for (const f of files) if (!f.endsWith('-shm')) copyFileSync(join(live, f), join(crashed, f));
  await g.stop();
  for (const f of readdirSync(crashed)) chmodSync(join(crashed, f), 0o444);
  chmodSync(crashed, 0o555);
  return { crashed, alertId: alertId as number };
}

const asRoot = process.getuid?.() === 0;

describe('found by probing: the card goes read-only because of the crash (core/db.ts opens it immutable=1)', () => {
  /**
   * ext4 remounts an SD card read-only on an I/O error — typically the same event that crashed or
   * hung the Pi. The restarted gateway opens the database `immutable=1`, which makes SQLite IGNORE
   * the -wal file: everything committed since the last checkpoint — Rose's open SOS, its deadline,
   * unsettled journal entries — is invisible. Alice's reconnecting handset is not re-sent Rose's
   * alert and it never escalates: the alarm is simply gone.
   */
  it.skipIf(!asRoot)(
    'an SOS open before the crash is still open after a restart on the now read-only card',
    async () => {
      const top = mkdtempSync(join(tmpdir(), 'careedge-ro-crash-'));
      chmodSync(top, 0o755);
      const { crashed, alertId } = await crashWithOpenSos(top, true);
      const child = spawnNobodyGateway(crashed);
      try {
        const { mqttPort } = await child.ports;
        const a = await TestClient.connect(mqttPort, 'testsite', 'alice', secretOf('alice'));
        try {
          await a.listen('staffDispatch');
          await a.send('staffStatus', { state: 'online' });
          const got = await Promise.race([
            a.next(onTopic('dispatch', { type: 'alert', alertId })).then(() => 'resent'),
            new Promise<string>((r) => setTimeout(() => r('nothing within 3 s'), 3000)),
          ]);
          expect(got, `open SOS #${alertId} vanished with the unreadable WAL`).toBe('resent');
        } finally {
          await a.close();
        }
      } finally {
        child.process.kill('SIGTERM');
        await new Promise((r) => child.process.once('exit', r));
        chmodSync(crashed, 0o755);
        rmSync(top, { recursive: true, force: true });
      }
    },
    30_000,
  );

  /**
   * Worse when nothing was checkpointed yet (WAL under 1000 pages since install — days of normal
   * running): the immutable main file has no tables, openDatabase() tries CREATE TABLE
   * schema_migrations and dies with SQLITE_READONLY. The gateway crash-loops: no broker, no PUBACK,
   * no alarm from any resident reaches anybody — the read-only start the degraded mode promises
   * never happens.
   */
  it.skipIf(!asRoot)(
    'starts at all on a read-only card whose data is still in the WAL',
    async () => {
      const top = mkdtempSync(join(tmpdir(), 'careedge-ro-crash-'));
      chmodSync(top, 0o755);
      const { crashed } = await crashWithOpenSos(top, false);
      const child = spawnNobodyGateway(crashed);
      try {
        const started = await child.ports.then(
          () => 'started',
          (err: Error) => err.message.split('\n').find((l) => l.includes('SqliteError')) ?? err.message,
        );
        expect(started).toBe('started');
      } finally {
        if (child.process.exitCode === null) {
          child.process.kill('SIGTERM');
          await new Promise((r) => child.process.once('exit', r));
        }
        chmodSync(crashed, 0o755);
        rmSync(top, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
