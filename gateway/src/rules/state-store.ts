import { type Db, migrate } from '../core/db.js';

const migrations = [
  {
    name: 'rules-state-1',
    sql: `
      -- One row per rule instance: (subject, rule). Written in batches (see flush), and at once
      -- in the commit of an alert the instance raises.
      CREATE TABLE rule_state (
        subject TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        state TEXT NOT NULL,
        wake_at INTEGER,
        open_alert_id INTEGER,
        PRIMARY KEY (subject, rule_id)
      );
    `,
  },
  {
    name: 'rules-state-2',
    // The kind that wrote the state: a rule id given another kind must not hand it this state.
    sql: `ALTER TABLE rule_state ADD COLUMN kind TEXT;`,
  },
];

/** One rule instance as the engine keeps it: the kind's state plus what the engine needs. */
export interface RuleInstance {
  /** `resident:<id>` or `device:<id>`. */
  subject: string;
  ruleId: string;
  /** The kind whose state this is; null in rows saved before it was kept. */
  kind: string | null;
  /** The device last heard for this subject: a deadline's alert names it. */
  deviceId: string;
  state: unknown;
  wakeAt: number | null;
  /** The alert this instance raised and last knew open. */
  openAlertId: number | null;
}

/** Where the engine keeps instances: SQLite live, memory for replay and tests. */
export interface RuleStateStore {
  all(): RuleInstance[];
  /** Noted; written by the next flush(). */
  put(instance: RuleInstance): void;
  /** Written now: inside the caller's transaction when there is one (an alert's commit). */
  putNow(instance: RuleInstance): void;
  delete(subject: string, ruleId: string): void;
  /** Writes what put() noted, in one transaction. */
  flush(): void;
  /** The stored instances of some rules (what the last flush wrote). */
  forRules(ruleIds: readonly string[]): RuleInstance[];
}

const keyOf = (i: Pick<RuleInstance, 'subject' | 'ruleId'>) => `${i.subject}\u0000${i.ruleId}`;

const parsed = (rows: unknown[]): RuleInstance[] =>
  (rows as (Omit<RuleInstance, 'state'> & { state: string })[]).map((r) => ({
    ...r,
    state: JSON.parse(r.state) as unknown,
  }));

/**
 * Rule state in SQLite, so a window that was open when the gateway stopped is still open after
 * it starts (no missed alert, no duplicate). Telemetry at 5,000 bands × 1 Hz changes state every
 * message; one commit per message would wear an SD card and hold the alarms' event loop, so
 * changes are batched and flushed every 5 minutes, a slice a turn (a crash loses at most that much of a window).
 */
export class SqliteRuleStateStore implements RuleStateStore {
  private readonly q;
  private readonly pending = new Map<string, RuleInstance>();

  constructor(private readonly db: Db) {
    migrate(db, migrations);
    this.q = {
      all: db.prepare(
        `SELECT subject, rule_id AS ruleId, kind, device_id AS deviceId, state, wake_at AS wakeAt,
           open_alert_id AS openAlertId FROM rule_state`,
      ),
      put: db.prepare(
        `INSERT INTO rule_state (subject, rule_id, kind, device_id, state, wake_at, open_alert_id)
         VALUES (@subject, @ruleId, @kind, @deviceId, @state, @wakeAt, @openAlertId)
         ON CONFLICT (subject, rule_id) DO UPDATE SET kind = excluded.kind, device_id = excluded.device_id,
           state = excluded.state, wake_at = excluded.wake_at, open_alert_id = excluded.open_alert_id`,
      ),
      delete: db.prepare(`DELETE FROM rule_state WHERE subject = ? AND rule_id = ?`),
      forRules: db.prepare(
        `SELECT subject, rule_id AS ruleId, kind, device_id AS deviceId, state, wake_at AS wakeAt,
           open_alert_id AS openAlertId FROM rule_state WHERE rule_id IN (SELECT value FROM json_each(?))`,
      ),
    };
  }

  all(): RuleInstance[] {
    return parsed(this.q.all.all());
  }

  forRules(ruleIds: readonly string[]): RuleInstance[] {
    return parsed(this.q.forRules.all(JSON.stringify(ruleIds)));
  }

  put(instance: RuleInstance): void {
    this.pending.set(keyOf(instance), instance);
  }

  putNow(instance: RuleInstance): void {
    this.pending.delete(keyOf(instance));
    this.q.put.run({ ...instance, state: JSON.stringify(instance.state) });
  }

  delete(subject: string, ruleId: string): void {
    this.pending.delete(keyOf({ subject, ruleId }));
    this.q.delete.run(subject, ruleId);
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    // Without an fsync: batched state is a convenience (a crash loses at most a flush interval,
    // and a raise's state is written with its alert, synced). Synced, the slices of one flush
    // were an fsync each on the alarm database's connection, tens of ms on an SD card.
    const sync = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => {
        for (const r of rows) this.q.put.run({ ...r, state: JSON.stringify(r.state) });
      })();
    } finally {
      this.db.pragma(`synchronous = ${sync}`);
    }
    // Only after the commit: a failed write (a full disk) keeps them for the next try.
    for (const r of rows) if (this.pending.get(keyOf(r)) === r) this.pending.delete(keyOf(r));
  }
}

/** Rule state in memory (replay, tests): stored as JSON, as SQLite would, so a state that is not plain JSON shows. */
export class MemoryRuleStateStore implements RuleStateStore {
  private readonly rows = new Map<string, string>();
  private readonly pending = new Map<string, RuleInstance>();

  all(): RuleInstance[] {
    return [...this.rows.values()].map((r) => JSON.parse(r) as RuleInstance);
  }
  forRules(ruleIds: readonly string[]): RuleInstance[] {
    return this.all().filter((i) => ruleIds.includes(i.ruleId));
  }
  put(instance: RuleInstance): void {
    this.pending.set(keyOf(instance), instance);
  }
  putNow(instance: RuleInstance): void {
    this.pending.delete(keyOf(instance));
    this.rows.set(keyOf(instance), JSON.stringify(instance));
  }
  delete(subject: string, ruleId: string): void {
    this.pending.delete(keyOf({ subject, ruleId }));
    this.rows.delete(keyOf({ subject, ruleId }));
  }
  flush(): void {
    for (const r of this.pending.values()) this.rows.set(keyOf(r), JSON.stringify(r));
    this.pending.clear();
  }
}
