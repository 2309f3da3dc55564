import type Database from 'better-sqlite3';
import { type Db, migrate } from '../core/db.js';
import type { Alert, AlertState, AuditEntry } from './model.js';

export const migrations = [
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
  {
    // The alarm path looks up the open alert of one resident or one room on every press and every
    // handset reconnect; without these it reads the whole history. Partial (open alerts only), so
    // they stay tiny however many years of closed alerts the table holds. Queries must repeat the
    // exact OPEN expression below for SQLite to pick them.
    name: 'alerts-idx-1',
    sql: `
      -- open() lists open alerts by id; alerts_open (on state) would need a sort, so SQLite read
      -- the whole table in id order instead.
      CREATE INDEX alerts_open_id ON alerts (id) WHERE state NOT IN ('resolved', 'cancelled');
      CREATE INDEX alerts_open_resident ON alerts (resident_id, id) WHERE state NOT IN ('resolved', 'cancelled');
      CREATE INDEX alerts_open_room ON alerts (room_id, id) WHERE state NOT IN ('resolved', 'cancelled');
    `,
  },
  {
    // Closed alerts move out of the hot table after alerts.archiveAfterDays (see archive.ts). The
    // audit trail stays whole, so its FK to alerts(id) has to go: rebuilt here with every row and
    // id and the same append-only triggers. Alert ids stay unique across both tables because
    // alerts uses AUTOINCREMENT (an archived id is never handed out again).
    name: 'alerts-archive-1',
    sql: `
      CREATE TABLE audit_rebuilt (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      INSERT INTO audit_rebuilt (id, alert_id, at, actor, action, from_state, to_state, detail)
        SELECT id, alert_id, at, actor, action, from_state, to_state, detail FROM audit ORDER BY id;
      DROP TRIGGER audit_no_update;
      DROP TRIGGER audit_no_delete;
      DROP TABLE audit;
      ALTER TABLE audit_rebuilt RENAME TO audit;
      CREATE INDEX audit_alert ON audit (alert_id, id);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      -- Same columns as alerts (archive.ts adds any a later migration gives alerts), no defaults:
      -- rows arrive whole from alerts.
      CREATE TABLE alerts_archive AS SELECT * FROM alerts WHERE 0;
      CREATE UNIQUE INDEX alerts_archive_id ON alerts_archive (id);
      CREATE TABLE alert_targets_archive AS SELECT * FROM alert_targets WHERE 0;
      CREATE INDEX alert_targets_archive_alert ON alert_targets_archive (alert_id);
      -- Finds the archiver's next batch without reading open alerts or the whole table.
      CREATE INDEX alerts_closed ON alerts (closed_at) WHERE state IN ('resolved', 'cancelled');
    `,
  },
  {
    // Which rule raised an alert and which rules file was in force: KPIs before and after a rule
    // change compare (issue 8). The archive gets them too: archived alerts are read by column.
    name: 'alerts-rules-1',
    sql: `
      ALTER TABLE alerts ADD COLUMN rule_id TEXT;
      ALTER TABLE alerts ADD COLUMN rules_version TEXT;
      ALTER TABLE alerts_archive ADD COLUMN rule_id TEXT;
      ALTER TABLE alerts_archive ADD COLUMN rules_version TEXT;
    `,
  },
  {
    // Why an alert's first dispatch waits (an alert storm, dispatch/storm.ts): kept on the alert,
    // so a restart neither sends it early nor forgets it.
    name: 'alerts-held-1',
    sql: `
      ALTER TABLE alerts ADD COLUMN held_back TEXT;
      ALTER TABLE alerts_archive ADD COLUMN held_back TEXT;
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
  ruleId: 'rule_id',
  rulesVersion: 'rules_version',
  heldBack: 'held_back',
};
const ALERT_FIELDS = Object.entries(columns)
  .map(([k, c]) => `${c} AS ${k}`)
  .join(', ');
const SELECT_ALERT = `SELECT ${ALERT_FIELDS} FROM alerts`;
const TARGET_FIELDS = `level, staff_id AS staffId, sent_at AS sentAt, received_at AS receivedAt, declined_at AS declinedAt`;
/** Must match the WHERE of the partial indexes word for word, or SQLite will not use them. */
const OPEN = `state NOT IN ('resolved', 'cancelled')`;
/** Only alerts still waiting for someone to arrive absorb a new press (see findOpen). */
/** An open alert in one of some states (a JSON list) of one of some kinds (a JSON list). */
const ABSORBING = `${OPEN} AND state IN (SELECT value FROM json_each(?)) AND kind IN (SELECT value FROM json_each(?))`;

export interface Target {
  level: number;
  staffId: string;
  sentAt: number;
  receivedAt: number | null;
  declinedAt: number | null;
}

/** Which alerts a listing asks for; every field narrows it (raisedAt in [since, until)). */
export interface AlertFilter {
  /** `open`: any open state; `closed`: resolved or cancelled; or one state. */
  state?: 'open' | 'closed' | Alert['state'];
  priority?: Alert['priority'];
  kind?: Alert['kind'];
  zoneId?: string;
  residentId?: string;
  ownerId?: string;
  since?: number;
  until?: number;
}

const CLOSED = "state IN ('resolved', 'cancelled')";

const FILTER_SQL: Record<keyof AlertFilter, string> = {
  state: 'state = @state',
  priority: 'priority = @priority',
  kind: 'kind = @kind',
  zoneId: 'zone_id = @zoneId',
  residentId: 'resident_id = @residentId',
  ownerId: 'owner_id = @ownerId',
  since: 'raised_at >= @since',
  until: 'raised_at < @until',
};

/** SQLite persistence of alerts, their dispatch targets and the audit trail. */
export class AlertStore {
  private readonly q;
  /** update() statements by the sorted list of columns they set: prepared once, not per call. */
  private readonly updates = new Map<string, Database.Statement>();
  /** list() statements by their SQL (one per combination of filters). */
  private readonly lists = new Map<string, Database.Statement>();

  constructor(readonly db: Db) {
    migrate(db, migrations);
    this.q = {
      get: db.prepare(`${SELECT_ALERT} WHERE id = ?`),
      open: db.prepare(`${SELECT_ALERT} WHERE ${OPEN} ORDER BY id`),
      countOpen: db.prepare(`SELECT count(*) AS n FROM alerts WHERE ${OPEN}`),
      recent: db.prepare(`${SELECT_ALERT} ORDER BY id DESC LIMIT ?`),
      // Only alerts still waiting for someone to arrive absorb a new press: once a carer has been
      // with the resident (attended), a new press is a new need, even if the old alert was
      // never closed.
      // never closed. Two statements rather than one with OR, so each uses its own index.
      openForResident: db.prepare(
        `${SELECT_ALERT} WHERE ${ABSORBING} AND resident_id = ? ORDER BY id LIMIT 1`,
      ),
      openForRoom: db.prepare(
        `${SELECT_ALERT} WHERE ${ABSORBING} AND room_id = ? AND resident_id IS NULL ORDER BY id LIMIT 1`,
      ),
      openCallsInRoom: db.prepare(
        `${SELECT_ALERT} WHERE ${OPEN} AND room_id = ? AND kind IN ('call', 'emergency-call') ORDER BY id`,
      ),
      insert: db.prepare(
        `INSERT INTO alerts (kind, priority, state, device_id, resident_id, room_id, zone_id, raised_at,
           updated_at, count, last_trigger_at, level, exclude_staff, rule_id, rules_version, held_back)
         VALUES (@kind, @priority, 'raised', @deviceId, @residentId, @roomId, @zoneId, @at, @at, 1, @at, 0,
           @excludeStaff, @ruleId, @rulesVersion, @heldBack)`,
      ),
      audit: db.prepare(
        `INSERT INTO audit (alert_id, at, actor, action, from_state, to_state, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      auditPage: db.prepare(
        `SELECT id, alert_id AS alertId, at, actor, action, from_state AS fromState, to_state AS toState, detail
         FROM audit WHERE alert_id = ? AND id > ? ORDER BY id LIMIT ?`,
      ),
      // Every alert's changes after one entry, in order: the console's live stream catching up.
      auditSince: db.prepare(
        `SELECT id, alert_id AS alertId, at, actor, action, from_state AS fromState, to_state AS toState, detail
         FROM audit WHERE id > ? ORDER BY id LIMIT ?`,
      ),
      lastAuditId: db.prepare(`SELECT coalesce(max(id), 0) AS id FROM audit`),
      auditFor: db.prepare(
        `SELECT id, alert_id AS alertId, at, actor, action, from_state AS fromState, to_state AS toState, detail
         FROM audit WHERE alert_id = ? ORDER BY id`,
      ),
      targets: db.prepare(
        `SELECT ${TARGET_FIELDS} FROM alert_targets WHERE alert_id = ? ORDER BY level, staff_id`,
      ),
      // Closed alerts moved out by archive.ts: still readable, never changed again.
      getArchived: db.prepare(`SELECT ${ALERT_FIELDS} FROM alerts_archive WHERE id = ?`),
      targetsArchived: db.prepare(
        `SELECT ${TARGET_FIELDS} FROM alert_targets_archive WHERE alert_id = ? ORDER BY level, staff_id`,
      ),
      addTarget: db.prepare(
        `INSERT INTO alert_targets (alert_id, level, staff_id, sent_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (alert_id, level, staff_id) DO UPDATE SET sent_at = excluded.sent_at, declined_at = NULL`,
      ),
      markTarget: {
        received: db.prepare(
          `UPDATE alert_targets SET received_at = COALESCE(received_at, ?) WHERE alert_id = ? AND staff_id = ?`,
        ),
        // Every dispatch step that asked her (not side recipients: reminders, handover offers);
        // a repeated decline keeps the first time.
        declined: db.prepare(
          `UPDATE alert_targets SET declined_at = COALESCE(declined_at, ?)
           WHERE alert_id = ? AND staff_id = ? AND level >= 0`,
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

  /** An alert archive.ts moved out of the live table, with its targets; its audit stays in `audit`. */
  getArchived(id: number): { alert: Alert; targets: Target[] } | undefined {
    const alert = this.q.getArchived.get(id) as Alert | undefined;
    return alert && { alert, targets: this.q.targetsArchived.all(id) as Target[] };
  }

  open(): Alert[] {
    return this.q.open.all() as Alert[];
  }

  /** How many alerts are open, from the partial index: /healthz asks often, and reads no rows. */
  countOpen(): number {
    return (this.q.countOpen.get() as { n: number }).n;
  }

  recent(limit: number): Alert[] {
    return this.q.recent.all(limit) as Alert[];
  }

  /** Alerts matching `filter`, oldest or newest first (HTTP listing); statements kept per shape. */
  list(filter: AlertFilter, limit: number, order: 'oldest' | 'newest'): Alert[] {
    const keys = (Object.keys(FILTER_SQL) as (keyof AlertFilter)[]).filter((k) => filter[k] !== undefined);
    // `open` as the partial indexes' own WHERE, so SQLite uses them.
    const fixed: Partial<Record<string, string>> = { open: OPEN, closed: CLOSED };
    const where = keys.map((k) => (k === 'state' && fixed[filter.state!]) || FILTER_SQL[k]);
    const sql = `${SELECT_ALERT}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${
      order === 'oldest' ? 'ASC' : 'DESC'
    } LIMIT @limit`;
    let stmt = this.lists.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.lists.set(sql, stmt);
    }
    const params = Object.fromEntries(
      keys.filter((k) => !(k === 'state' && fixed[filter.state!])).map((k) => [k, filter[k]]),
    );
    return stmt.all({ ...params, limit }) as Alert[];
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
    const k = JSON.stringify(kinds);
    const st = JSON.stringify(states);
    const byResident =
      residentId === null ? undefined : (this.q.openForResident.get(st, k, residentId) as Alert | undefined);
    const byRoom = roomId === null ? undefined : (this.q.openForRoom.get(st, k, roomId) as Alert | undefined);
    if (byResident && byRoom) return byResident.id < byRoom.id ? byResident : byRoom;
    return byResident ?? byRoom;
  }

  openCallsInRoom(roomId: string): Alert[] {
    return this.q.openCallsInRoom.all(roomId) as Alert[];
  }

  insert(
    a: Pick<Alert, 'kind' | 'priority' | 'deviceId' | 'residentId' | 'roomId' | 'zoneId'> & {
      excludeStaff?: string[];
      ruleId?: string;
      rulesVersion?: string;
      heldBack?: string | null;
    },
    at: number,
  ): number {
    const { kind, priority, deviceId, residentId, roomId, zoneId, excludeStaff } = a;
    return Number(
      this.q.insert.run({
        kind,
        priority,
        deviceId,
        residentId,
        roomId,
        zoneId,
        at,
        excludeStaff: excludeStaff?.length ? excludeStaff.join(',') : null,
        ruleId: a.ruleId ?? null,
        rulesVersion: a.rulesVersion ?? null,
        heldBack: a.heldBack ?? null,
      }).lastInsertRowid,
    );
  }

  update(id: number, changes: Partial<Omit<Alert, 'id'>>): void {
    const keys = (Object.keys(changes) as (keyof Alert)[]).sort();
    if (keys.length === 0) return;
    const key = keys.join(',');
    let stmt = this.updates.get(key);
    if (!stmt) {
      stmt = this.db.prepare(
        `UPDATE alerts SET ${keys.map((k) => `${columns[k]} = @${k}`).join(', ')} WHERE id = @id`,
      );
      this.updates.set(key, stmt);
    }
    stmt.run({ ...changes, id });
  }

  /** Appends an audit entry; returns its id. */
  appendAudit(e: Omit<AuditEntry, 'id'>): number {
    const info = this.q.audit.run(
      e.alertId,
      e.at,
      e.actor,
      e.action,
      e.fromState,
      e.toState,
      JSON.stringify(e.detail),
    );
    return Number(info.lastInsertRowid);
  }

  audit(alertId: number): AuditEntry[] {
    return parseAudit(this.q.auditFor.all(alertId));
  }

  /** Audit entries after entry `afterId`, at most `limit`: an alert's trail can run to thousands. */
  auditPage(alertId: number, afterId: number, limit: number): AuditEntry[] {
    return parseAudit(this.q.auditPage.all(alertId, afterId, limit));
  }

  /** Audit entries of every alert after entry `afterId`, at most `limit` (a reconnecting console). */
  auditSince(afterId: number, limit: number): AuditEntry[] {
    return parseAudit(this.q.auditSince.all(afterId, limit));
  }

  /** The newest audit entry's id (0 with none): where a live stream starts. */
  lastAuditId(): number {
    return (this.q.lastAuditId.get() as { id: number }).id;
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

  /**
   * Records a decline at every step that asked `staffId`: an escalation leaves the alert on the
   * screens of those asked before, so a decline there must count too. Returns the rows marked.
   */
  markDeclined(alertId: number, staffId: string, at: number): number {
    return this.q.markTarget.declined.run(at, alertId, staffId).changes;
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

function parseAudit(rows: unknown[]): AuditEntry[] {
  return (rows as (Omit<AuditEntry, 'detail'> & { detail: string })[]).map((r) => ({
    ...r,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
