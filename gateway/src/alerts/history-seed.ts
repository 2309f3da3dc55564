import { openDatabase } from '../core/db.js';
import { AlertStore } from './store.js';

export interface HistoryPlace {
  deviceId: string;
  residentId: string;
  roomId: string;
  zoneId: string;
}

export interface SeedHistoryOptions {
  /** How many closed alerts to write. */
  count: number;
  /** Whose alerts they were; cycled through so every resident has a long history. */
  places: readonly HistoryPlace[];
  /** The newest seeded alert is raised a day before this; the oldest `years` before it. */
  now: number;
  years?: number;
}

const DAY_MS = 86_400_000;

/**
 * Writes years of closed (resolved) SOS alerts, each with its targets and audit rows, into the
 * gateway's database before it starts — so the bench measures alarms on a database that looks like
 * one a care home has been running for years, not an empty one. One transaction, prepared inserts.
 */
export function seedClosedAlerts(dbFile: string, opts: SeedHistoryOptions): void {
  if (opts.places.length === 0) throw new Error('seedClosedAlerts needs at least one place');
  const db = openDatabase(dbFile);
  try {
    new AlertStore(db); // runs the alert migrations, so the tables are the gateway's own
    const insertAlert = db.prepare(
      `INSERT INTO alerts (kind, priority, state, device_id, resident_id, room_id, zone_id, raised_at,
         updated_at, count, last_trigger_at, owner_id, acknowledged_at, attended_at, closed_at, outcome, level)
       VALUES ('sos', 'high', 'resolved', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 'assisted', 0)`,
    );
    const insertTarget = db.prepare(
      `INSERT INTO alert_targets (alert_id, level, staff_id, sent_at, received_at) VALUES (?, 0, ?, ?, ?)`,
    );
    const insertAudit = db.prepare(
      `INSERT INTO audit (alert_id, at, actor, action, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, '{}')`,
    );
    const span = (opts.years ?? 3) * 365 * DAY_MS;
    const newest = opts.now - DAY_MS;
    db.transaction(() => {
      for (let i = 0; i < opts.count; i++) {
        const p = opts.places[i % opts.places.length]!;
        // Oldest first, so ids grow with time as they do in a real database.
        const at = Math.round(newest - span + (span * i) / Math.max(1, opts.count - 1));
        const staff = `history-carer-${i % 8}`;
        const id = Number(
          insertAlert.run(
            p.deviceId,
            p.residentId,
            p.roomId,
            p.zoneId,
            at,
            at + 600_000,
            at,
            staff,
            at + 60_000,
            at + 300_000,
            at + 600_000,
          ).lastInsertRowid,
        );
        insertTarget.run(id, staff, at + 1_000, at + 2_000);
        insertAudit.run(id, at, `device:${p.deviceId}`, 'raise', null, 'raised');
        insertAudit.run(id, at + 1_000, 'system', 'dispatch', 'raised', 'dispatched');
        insertAudit.run(id, at + 60_000, `staff:${staff}`, 'acknowledge', 'dispatched', 'acknowledged');
        insertAudit.run(id, at + 600_000, `staff:${staff}`, 'resolve', 'attended', 'resolved');
      }
    })();
  } finally {
    db.close();
  }
}
