import { type Db, migrate } from '../core/db.js';
import type { Alert, AlertState, AuditEntry } from './model.js';

const migrations = [
  {
    name: 'alerts-1',
    sql: `
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        priority TEXT NOT NULL,
        state TEXT NOT NULL,
        device_id TEXT NOT NULL,
        resident_id TEXT,
        room_id TEXT,
        zone_id TEXT NOT NULL,
        raised_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        count INTEGER NOT NULL DEFAULT 1,
        last_trigger_at INTEGER NOT NULL,
        owner_id TEXT,
        acknowledged_at INTEGER,
        attended_at INTEGER,
        closed_at INTEGER,
        outcome TEXT,
        note TEXT,
        level INTEGER NOT NULL DEFAULT 0,
        deadline_at INTEGER
      );
      CREATE INDEX alerts_open ON alerts (state) WHERE state NOT IN ('resolved', 'cancelled');
      CREATE TABLE alert_targets (
        alert_id INTEGER NOT NULL REFERENCES alerts(id),
        level INTEGER NOT NULL,
        staff_id TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        received_at INTEGER,
        declined_at INTEGER,
        PRIMARY KEY (alert_id, level, staff_id)
      );
      -- The audit trail is append-only: it cannot be edited or deleted, even by the gateway itself.
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id INTEGER NOT NULL REFERENCES alerts(id),
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_alert ON audit (alert_id, id);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TABLE room_presence (
        room_id TEXT PRIMARY KEY,
        on_since INTEGER NOT NULL
      );
    `,
  },
  {
    // Ownership that can be handed over only when accepted, reminders that end, and the carer in
    // the room left out of her own emergency call.
    name: 'alerts-ownership-1',
    sql: `
      ALTER TABLE alerts ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE alerts ADD COLUMN handover_to TEXT;
      ALTER TABLE alerts ADD COLUMN exclude_staff TEXT;
    `,
  },
];

const columns: Record<keyof Alert, string> = {
  id: 'id',
  kind: 'kind',
  priority: 'priority',
  state: 'state',
  deviceId: 'device_id',
  residentId: 'resident_id',
  roomId: 'room_id',
  zoneId: 'zone_id',
  raisedAt: 'raised_at',
  updatedAt: 'updated_at',
  count: 'count',
  lastTriggerAt: 'last_trigger_at',
  ownerId: 'owner_id',
  acknowledgedAt: 'acknowledged_at',
  attendedAt: 'attended_at',
  closedAt: 'closed_at',
  outcome: 'outcome',
  note: 'note',
  level: 'level',
  deadlineAt: 'deadline_at',
  reminders: 'reminders',
  handoverTo: 'handover_to',
  excludeStaff: 'exclude_staff',
};
const SELECT_ALERT = `SELECT ${Object.entries(columns)
  .map(([k, c]) => `${c} AS ${k}`)
  .join(', ')} FROM alerts`;
const OPEN = `state NOT IN ('resolved', 'cancelled')`;

export interface Target {
  level: number;
  staffId: string;
  sentAt: number;
  receivedAt: number | null;
  declinedAt: number | null;
}

/** SQLite persistence of alerts, their dispatch targets and the audit trail. */
export class AlertStore {
  private readonly q;

  constructor(readonly db: Db) {
    migrate(db, migrations);
    this.q = {
      get: db.prepare(`${SELECT_ALERT} WHERE id = ?`),
      open: db.prepare(`${SELECT_ALERT} WHERE ${OPEN} ORDER BY id`),
      recent: db.prepare(`${SELECT_ALERT} ORDER BY id DESC LIMIT ?`),
      // Only alerts still waiting for someone to arrive absorb a new press: once a carer has been
      // with the resident (attended), a new press is a new need, even if the old alert was
      // never closed.
      openFor: db.prepare(
        `${SELECT_ALERT} WHERE ${OPEN} AND state IN (SELECT value FROM json_each(?)) AND kind IN (SELECT value FROM json_each(?)) AND
         ((? IS NOT NULL AND resident_id = ?) OR (? IS NOT NULL AND room_id = ? AND resident_id IS NULL))
         ORDER BY id LIMIT 1`,
      ),
      openCallsInRoom: db.prepare(
        `${SELECT_ALERT} WHERE ${OPEN} AND room_id = ? AND kind IN ('call', 'emergency-call') ORDER BY id`,
      ),
      insert: db.prepare(
        `INSERT INTO alerts (kind, priority, state, device_id, resident_id, room_id, zone_id, raised_at,
           updated_at, count, last_trigger_at, level, exclude_staff)
         VALUES (@kind, @priority, 'raised', @deviceId, @residentId, @roomId, @zoneId, @at, @at, 1, @at, 0,
           @excludeStaff)`,
      ),
      audit: db.prepare(
        `INSERT INTO audit (alert_id, at, actor, action, from_state, to_state, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      auditFor: db.prepare(
        `SELECT id, alert_id AS alertId, at, actor, action, from_state AS fromState, to_state AS toState, detail
         FROM audit WHERE alert_id = ? ORDER BY id`,
      ),
      targets: db.prepare(
        `SELECT level, staff_id AS staffId, sent_at AS sentAt, received_at AS receivedAt, declined_at AS declinedAt
         FROM alert_targets WHERE alert_id = ? ORDER BY level, staff_id`,
      ),
      addTarget: db.prepare(
        `INSERT INTO alert_targets (alert_id, level, staff_id, sent_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (alert_id, level, staff_id) DO UPDATE SET sent_at = excluded.sent_at, declined_at = NULL`,
      ),
      markTarget: {
        received: db.prepare(
          `UPDATE alert_targets SET received_at = COALESCE(received_at, ?) WHERE alert_id = ? AND staff_id = ?`,
        ),
        declined: db.prepare(
          `UPDATE alert_targets SET declined_at = ? WHERE alert_id = ? AND level = ? AND staff_id = ?`,
        ),
      },
      presenceOn: db.prepare(`INSERT OR REPLACE INTO room_presence (room_id, on_since) VALUES (?, ?)`),
      presenceOff: db.prepare(`DELETE FROM room_presence WHERE room_id = ?`),
      presenceGet: db.prepare(`SELECT on_since AS onSince FROM room_presence WHERE room_id = ?`),
    };
  }

  /** Runs `fn` in one transaction: the alert change and its audit row commit together or not at all. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get(id: number): Alert | undefined {
    return this.q.get.get(id) as Alert | undefined;
  }

  open(): Alert[] {
    return this.q.open.all() as Alert[];
  }

  recent(limit: number): Alert[] {
    return this.q.recent.all(limit) as Alert[];
  }

  /**
   * The open alert a new trigger belongs to: same resident (wristband) or same room (button), of
   * one of `kinds`, in one of `states`.
   */
  findOpen(
    kinds: string[],
    residentId: string | null,
    roomId: string | null,
    states: readonly AlertState[],
  ): Alert | undefined {
    return this.q.openFor.get(
      JSON.stringify(states),
      JSON.stringify(kinds),
      residentId,
      residentId,
      roomId,
      roomId,
    ) as Alert | undefined;
  }

  openCallsInRoom(roomId: string): Alert[] {
    return this.q.openCallsInRoom.all(roomId) as Alert[];
  }

  insert(
    a: Pick<Alert, 'kind' | 'priority' | 'deviceId' | 'residentId' | 'roomId' | 'zoneId'> & {
      excludeStaff?: string[];
    },
    at: number,
  ): number {
    const { excludeStaff, ...row } = a;
    return Number(
      this.q.insert.run({ ...row, at, excludeStaff: excludeStaff?.length ? excludeStaff.join(',') : null })
        .lastInsertRowid,
    );
  }

  update(id: number, changes: Partial<Omit<Alert, 'id'>>): void {
    const keys = Object.keys(changes) as (keyof Alert)[];
    if (keys.length === 0) return;
    const sql = `UPDATE alerts SET ${keys.map((k) => `${columns[k]} = @${k}`).join(', ')} WHERE id = @id`;
    this.db.prepare(sql).run({ ...changes, id });
  }

  appendAudit(e: Omit<AuditEntry, 'id'>): void {
    this.q.audit.run(e.alertId, e.at, e.actor, e.action, e.fromState, e.toState, JSON.stringify(e.detail));
  }

  audit(alertId: number): AuditEntry[] {
    return (this.q.auditFor.all(alertId) as (Omit<AuditEntry, 'detail'> & { detail: string })[]).map((r) => ({
      ...r,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }

  targets(alertId: number): Target[] {
    return this.q.targets.all(alertId) as Target[];
  }

  addTarget(alertId: number, level: number, staffId: string, at: number): void {
    this.q.addTarget.run(alertId, level, staffId, at);
  }

  markReceived(alertId: number, staffId: string, at: number): void {
    this.q.markTarget.received.run(at, alertId, staffId);
  }

  markDeclined(alertId: number, level: number, staffId: string, at: number): number {
    return this.q.markTarget.declined.run(at, alertId, level, staffId).changes;
  }

  setPresence(roomId: string, on: boolean, at: number): void {
    if (on) this.q.presenceOn.run(roomId, at);
    else this.q.presenceOff.run(roomId);
  }

  /** Since when staff presence is set in the room, or null. */
  presenceSince(roomId: string): number | null {
    return (this.q.presenceGet.get(roomId) as { onSince: number } | undefined)?.onSince ?? null;
  }
}

export type { AlertState };
