/**
 * `npx tsx gateway/scripts/measure-find-open.ts [N]`: how long the alarm-path lookups take on a
 * database with N closed alerts (default 180,000). A measurement, not a test: timings vary by
 * machine, so they are printed, not asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedClosedAlerts } from '../src/alerts/history-seed.js';
import { AlertStore } from '../src/alerts/store.js';
import { openDatabase } from '../src/core/db.js';

/** States in which an alert absorbs a new press (as the alert service asks). */
const WAITING = ['raised', 'dispatched', 'acknowledged'] as const;

const count = Number(process.argv[2] ?? 180_000);
const dir = mkdtempSync(join(tmpdir(), 'careedge-find-open-'));
const file = join(dir, 'careedge.sqlite');
const places = Array.from({ length: 2000 }, (_, i) => ({
  deviceId: `wb-${i}`,
  residentId: `r-${i}`,
  roomId: `room-${i}`,
  zoneId: `zone-${i % 4}`,
}));
seedClosedAlerts(file, { count, places, now: Date.now() });
const db = openDatabase(file);
const store = new AlertStore(db);
const openId = store.insert(
  { kind: 'sos', priority: 'high', deviceId: 'wb-7', residentId: 'r-7', roomId: 'room-7', zoneId: 'zone-0' },
  Date.now(),
);

function time(label: string, fn: () => unknown, runs = 200): void {
  for (let i = 0; i < 20; i++) fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
  console.log(`${label.padEnd(42)} ${ms.toFixed(3)} ms`);
}
console.log(`${count} closed alerts, 1 open (id ${openId})`);
time('findOpen(sos, resident r-7)', () => store.findOpen(['sos'], 'r-7', null, WAITING));
time('findOpen(sos, resident without open alert)', () => store.findOpen(['sos'], 'r-8', null, WAITING));
time('findOpen(call, room-9)', () => store.findOpen(['call'], null, 'room-9', WAITING));
time('open()', () => store.open());
time('openCallsInRoom(room-9)', () => store.openCallsInRoom('room-9'));
db.close();
rmSync(dir, { recursive: true, force: true });
