import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/core/db.js';
import { secretOf, type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, TestClient } from '../helpers/mqtt-client.js';
import { spawnNobodyGateway } from '../helpers/nobody-gateway.js';

const isAlert = (fields: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...fields });

/**
 * A real full disk: caps the database at its current size and uses up the room left in it with
 * closed alerts of shrinking size (they land in the same pages a new alert needs), so the next
 * alert write fails with SQLITE_FULL. Returns the cap to restore.
 */
function fillDatabase(db: Db): number {
  const cap = db.pragma('max_page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
  const insert = db.prepare(
    `INSERT INTO alerts (kind, priority, state, device_id, zone_id, raised_at, updated_at, last_trigger_at, note)
     VALUES ('call', 'low', 'resolved', 'filler', 'filler', 0, 0, 0, ?)`,
  );
  for (let size = 4096; size >= 8; size = Math.floor(size / 2)) {
    try {
      for (;;) insert.run('x'.repeat(size));
    } catch (err) {
      expect((err as { code?: string }).code).toBe('SQLITE_FULL');
    }
  }
  return cap;
}

describe('storage faults: an alarm reaches people even when SQLite cannot write', () => {
  let g: TestGateway;
  let band: TestClient;
  let alice: TestClient;
  beforeEach(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    alice = await g.handset('alice');
  });
  afterEach(async () => {
    await g.stop();
  });

  const healthz = async () => {
    const res = await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('sends an SOS from memory at once on SQLITE_FULL, reports degraded, and records it when space returns', async () => {
    const sam = await g.handset('sam'); // the supervisor on shift
    const dave = await g.handset('dave'); // on shift in another zone: told too, nobody can escalate
    const watcher = await g.client('btn-n1');
    await watcher.listen('gatewayState');
    await watcher.next(onTopic('state', { state: 'online' }));
    const db = g.gateway.context.db;
    const cap = fillDatabase(db);

    await band.send('deviceEvent', { type: 'sos' });
    const provisional = (await alice.next(isAlert({ reason: 'unrecorded' }))).payload;
    expect(provisional).toMatchObject({ kind: 'sos', priority: 'high', residentId: 'r1', provisional: true });
    expect(provisional.alertId).toBeGreaterThanOrEqual(2_000_000_000);
    await dave.next(isAlert({ reason: 'unrecorded', alertId: provisional.alertId }));
    await sam.next(isAlert({ reason: 'unrecorded', alertId: provisional.alertId }));
    expect(g.alerts.open()).toHaveLength(0);

    // Degraded everywhere someone looks.
    const notice = (await sam.next(onTopic('dispatch', { type: 'system', state: 'degraded' }))).payload;
    expect(notice).toMatchObject({ problem: 'storage' });
    expect(notice.text).toContain('database or disk is full');
    const health = await healthz();
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'degraded',
      problems: [{ problem: 'storage', reason: 'database or disk is full' }],
    });
    const state = (await watcher.next(onTopic('state', { state: 'degraded' }))).payload;
    expect(state.problems).toMatchObject([{ problem: 'storage' }]);
    expect(await g.metric('careedge_health_problem', { problem: 'storage' })).toBe(1);

    // A reply to the provisional number gets a clear refusal.
    const sent = await alice.send('staffReply', { action: 'ack', alertId: provisional.alertId });
    const refused = (await alice.next(onTopic('result', { transaction: sent.seq }))).payload;
    expect(refused).toMatchObject({ status: 'error', error: { code: 'alert-unrecorded' } });

    // Still unrecorded after the high-priority ack timeout: sent again.
    await g.tick(30_000);
    await alice.next(isAlert({ reason: 'unrecorded', alertId: provisional.alertId }));
    expect(g.alerts.open()).toHaveLength(0);

    // Space again: the next retry stores it, the real alert goes out, the provisional is withdrawn.
    db.pragma(`max_page_count = ${cap}`);
    await g.tick(10_000);
    const real = (await alice.next(isAlert({ reason: 'new' }))).payload;
    expect(real).toMatchObject({ kind: 'sos', residentId: 'r1' });
    expect(real.alertId).toBeLessThan(2_000_000_000);
    expect(g.alerts.get(real.alertId as number).state).toBe('dispatched');
    await alice.next(
      onTopic('dispatch', { type: 'withdrawn', alertId: provisional.alertId, reason: 'recorded' }),
    );
    await dave.next(
      onTopic('dispatch', { type: 'withdrawn', alertId: provisional.alertId, reason: 'recorded' }),
    );
    await sam.next(onTopic('dispatch', { type: 'system', problem: 'storage', state: 'recovered' }));
    expect((await healthz()).status).toBe(200);
    expect((await watcher.next(onTopic('state', { state: 'online' }))).payload.problems).toBeUndefined();
    expect(await g.metric('careedge_health_problem', { problem: 'storage' })).toBe(0);
  });

  it('sends a fall from memory on a read-only database (SQLITE_READONLY) and clears once it is writable', async () => {
    const sam = await g.handset('sam');
    const db = g.gateway.context.db;
    // A disk remounted read-only: a real SQLITE_READONLY on the gateway's own connection.
    db.pragma('query_only = ON');
    await band.send('deviceEvent', { type: 'fall' });
    await alice.next(isAlert({ reason: 'unrecorded', kind: 'fall' }));
    expect((await healthz()).body).toMatchObject({
      problems: [{ problem: 'storage', reason: 'attempt to write a readonly database' }],
    });
    db.pragma('query_only = OFF');
    await g.tick(10_000); // the retry stores the fall
    await alice.next(isAlert({ reason: 'new', kind: 'fall' }));
    await sam.next(onTopic('dispatch', { type: 'system', state: 'recovered' }));
    expect((await healthz()).status).toBe(200);
  });

  it('sends an unrecorded alarm again to a handset that connects during the outage', async () => {
    const cap = fillDatabase(g.gateway.context.db);
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(isAlert({ reason: 'unrecorded' }))).payload;
    const bob = await g.handset('bob'); // on shift, his handset was off when the SOS came
    await bob.next(isAlert({ reason: 'unrecorded', alertId }));
    g.gateway.context.db.pragma(`max_page_count = ${cap}`);
  });

  it('keeps trying an SOS whose write failed and records it when the write works again', async () => {
    const db = g.gateway.context.db;
    const cap = fillDatabase(db);
    await band.send('deviceEvent', { type: 'sos' });
    await g.tick(1000);
    expect(g.alerts.open()).toHaveLength(0);
    db.pragma(`max_page_count = ${cap}`);
    await g.tick(2000);
    expect((await alice.next(isAlert({ reason: 'new' }))).payload).toMatchObject({
      kind: 'sos',
      residentId: 'r1',
    });
    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result: 'retried' }),
    ).toBe(2);
  });

  it('tries a failed escalation again instead of leaving the alert waiting', async () => {
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(isAlert())).payload;
    // The escalation rewrites rows that have room, so a full disk would not stop it: read-only does.
    g.gateway.context.db.pragma('query_only = ON');
    await g.tick(30_000);
    expect(g.alerts.get(alertId as number).level).toBe(0);
    g.gateway.context.db.pragma('query_only = OFF');
    await g.tick(5000);
    expect(g.alerts.get(alertId as number).level).toBe(1);
  });
});

describe('start-up on storage that cannot be written', () => {
  it('does not rewrite the register when the site file is unchanged', async () => {
    const g = await testGateway();
    try {
      const importedAt = () =>
        (g.gateway.context.db.prepare('SELECT imported_at AS at FROM register_site').get() as { at: number })
          .at;
      const first = importedAt();
      await new Promise((r) => setImmediate(r)); // Date.now() may move on; an import would show it
      await g.restart();
      expect(importedAt()).toBe(first);
      expect(g.gateway.context.health.degraded).toBe(false);
    } finally {
      await g.stop();
    }
  });

  // As root, file permissions stop nobody, so the gateway runs as its own process with the uid of
  // `nobody` on a 0444 database in a 0555 directory: the kernel refuses every write, as on a
  // read-only SD card.
  const asRoot = process.getuid?.() === 0;
  it.skipIf(!asRoot)(
    'starts on a read-only database: runs on a copy in RAM, reports storage degraded, and an SOS is raised and dispatched',
    async () => {
      const top = mkdtempSync(join(tmpdir(), 'careedge-ro-'));
      chmodSync(top, 0o755);
      const dataDir = join(top, 'data');
      const first = await testGateway({ dataDir });
      await first.restart(); // leaves a migrated, checkpointed file behind
      await first.gateway.stop();
      for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o444);
      chmodSync(dataDir, 0o555);
      const child = spawnNobodyGateway(dataDir);
      try {
        const { mqttPort, httpPort } = await child.ports;
        const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({
          status: 'degraded',
          problems: [{ problem: 'storage', reason: expect.stringContaining('running on a copy in RAM') }],
        });
        const alice = await TestClient.connect(mqttPort, 'testsite', 'alice', secretOf('alice'));
        const band = await TestClient.connect(mqttPort, 'testsite', 'wb-1', secretOf('wb-1'));
        try {
          await alice.listen('staffDispatch');
          await band.send('deviceEvent', { type: 'sos' });
          // Recorded (on the copy), so it is an ordinary alert: owned, escalated, audited.
          const got = (await alice.next(isAlert({ reason: 'new' }))).payload;
          expect(got).toMatchObject({ kind: 'sos', residentId: 'r1' });
          expect(got.provisional).toBeUndefined();
        } finally {
          await Promise.all([alice.close(), band.close()]);
        }
      } finally {
        child.process.kill('SIGTERM');
        await new Promise((r) => child.process.once('exit', r));
        chmodSync(dataDir, 0o755);
        rmSync(top, { recursive: true, force: true });
        rmSync(first.dir, { recursive: true, force: true });
      }
    },
    20_000,
  );
});
