import { soonFirst } from '../core/check-phase.js';
import type { Clock } from '../core/clock.js';
import { type Db, migrate } from '../core/db.js';

const migrations = [
  {
    name: 'journal-1',
    sql: `
      -- Alarms as they came off the wire, written before the broker acknowledges them. An entry is
      -- settled in the transaction that records what it caused (the alert), so after a crash the
      -- unsettled ones are exactly the alarms that were acknowledged but not yet handled.
      CREATE TABLE alarm_journal (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        payload BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        settled_at INTEGER
      );
      CREATE INDEX alarm_journal_unsettled ON alarm_journal (id) WHERE settled_at IS NULL;
      CREATE INDEX alarm_journal_settled ON alarm_journal (settled_at) WHERE settled_at IS NOT NULL;
    `,
  },
  {
    // Who the alarm was for when it was pressed: a restart is when site-file edits take effect,
    // and a band reassigned in the same restart must not turn Rose's SOS into Harold's.
    name: 'journal-2',
    sql: `ALTER TABLE alarm_journal ADD COLUMN context TEXT;`,
  },
];

/** Whom and where an alarm was for when it arrived (ids in the site register). */
export interface AlarmContext {
  residentId: string | null;
  roomId: string | null;
  zoneId: string | null;
}

export interface JournalEntry {
  id: number;
  deviceId: string;
  topic: string;
  payload: Buffer;
  receivedAt: number;
  /** Absent for entries written before contexts were kept. */
  context?: AlarmContext;
}

/** What ingest needs from the journal: a settle function per message, and the backlog to replay. */
export interface JournalClaims {
  /**
   * The settle function of the oldest unsettled, not yet claimed entry with this topic and
   * exactly these payload bytes, or undefined when the message was not journaled. Each entry is
   * handed out once, so two identical messages (a QoS 1 redelivery) settle two entries.
   */
  claim(topic: string, payload: Buffer): (() => void) | undefined;
  /** Entries not settled yet, oldest first: after a crash, the alarms to handle again. */
  unsettled(): JournalEntry[];
}

interface Waiting {
  deviceId: string;
  topic: string;
  payload: Buffer;
  receivedAt: number;
  context: string | null;
  resolve(): void;
  reject(err: unknown): void;
}

// Topics never contain U+0000 [MQTT-4.7.3-2], so the separator cannot be forged by a topic.
const keyOf = (topic: string, payload: Buffer) => `${topic}\u0000${payload.toString('latin1')}`;

/**
 * The alarm write-ahead journal in the gateway's SQLite file. record() resolves once the entry is
 * committed; the broker hands the alarm on then, and sends its PUBACK only after durable().
 * Records made in the same turn of the event loop share one transaction (group commit): in an
 * alarm storm hundreds of bands press at once, and one fsync each would queue them all behind
 * the slowest card write.
 *
 * One fsync per alarm, not two: the journal commits without syncing (synchronous=NORMAL for its
 * own transaction; WAL keeps commits in order), and the alert's commit that follows it
 * (synchronous=FULL) syncs the WAL, and with it every frame written before, the journal entry
 * included. durable() makes sure of that before the PUBACK: an entry that nothing settled (the
 * alert could not be recorded) gets a sync of its own. On an SD card, where an fsync takes
 * milliseconds, that halves what an alarm waits for the disk.
 */
export class AlarmJournal implements JournalClaims {
  private batch: Waiting[] = [];
  /** Entries committed without a sync, not yet known to be on the disk. */
  private undurable: number[] = [];
  /** The connection's own setting (FULL), put back after each journal commit. */
  private readonly sync: number;
  /**
   * The entries of the newest commit. A settle's sync covers only what was committed before it, so
   * only a settled entry of this batch proves every waiting entry on the disk (one of an older
   * batch may have been settled before a newer batch was committed).
   */
  private newest: number[] = [];
  /** Committed, unsettled entries that ingest has not claimed yet, by topic and payload. */
  private readonly unclaimed = new Map<string, number[]>();
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    migrate(db, migrations);
    this.sync = db.pragma('synchronous', { simple: true }) as number;
    this.statements = {
      insert: db.prepare(
        'INSERT INTO alarm_journal (device_id, topic, payload, received_at, context) VALUES (?, ?, ?, ?, ?)',
      ),
      settle: db.prepare('UPDATE alarm_journal SET settled_at = ? WHERE id = ? AND settled_at IS NULL'),
      unsettled: db.prepare(
        `SELECT id, device_id AS deviceId, topic, payload, received_at AS receivedAt, context
         FROM alarm_journal WHERE settled_at IS NULL ORDER BY id`,
      ),
      prune: db.prepare('DELETE FROM alarm_journal WHERE settled_at IS NOT NULL AND settled_at < ?'),
      anySettled: db
        .prepare(
          'SELECT 1 FROM alarm_journal WHERE id IN (SELECT value FROM json_each(?)) AND settled_at IS NOT NULL LIMIT 1',
        )
        .pluck(),
      // Rewrites a row as it is: a write of its own, so that its commit syncs the WAL.
      touch: db.prepare('UPDATE alarm_journal SET device_id = device_id WHERE id = ?'),
    };
    for (const e of this.unsettled()) this.remember(e.id, keyOf(e.topic, e.payload));
  }

  /** Resolves once the entry is committed; rejects when it could not be written. */
  record(deviceId: string, topic: string, payload: Buffer, context?: AlarmContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // The check phase comes after the poll phase, so every packet read in this turn joins the
      // batch; its first lane runs before the turn's telemetry is handled.
      if (this.batch.length === 0) soonFirst(this.commit);
      this.batch.push({
        deviceId,
        topic,
        payload,
        receivedAt: this.clock.now(),
        context: context ? JSON.stringify(context) : null,
        resolve,
        reject,
      });
    });
  }

  claim(topic: string, payload: Buffer): (() => void) | undefined {
    if (this.unclaimed.size === 0) return undefined;
    const key = keyOf(topic, payload);
    const ids = this.unclaimed.get(key);
    if (!ids) return undefined;
    const id = ids.shift()!;
    if (ids.length === 0) this.unclaimed.delete(key);
    // No "already settled" flag here: if the caller's transaction rolls back, settling again on
    // the retry must still work; the UPDATE itself changes a settled entry no further.
    return () => {
      this.statements.settle.run(this.clock.now(), id);
    };
  }

  unsettled(): JournalEntry[] {
    return (
      this.statements.unsettled.all() as (Omit<JournalEntry, 'context'> & { context: string | null })[]
    ).map(({ context, ...e }) => (context ? { ...e, context: JSON.parse(context) as AlarmContext } : e));
  }

  /**
   * Makes sure every entry committed so far is on the disk; called before an alarm is
   * acknowledged. Usually nothing to do: the alert that settled one of the newest batch was
   * committed with a sync, which took the journal's earlier commits to the disk too. Otherwise (the alert could not
   * be recorded, or the alarm is still held behind an earlier message of its device) a commit of
   * its own does it. Throws when the disk refuses the write.
   */
  durable(): void {
    if (this.undurable.length === 0) return;
    const ids = this.undurable;
    this.undurable = [];
    try {
      if (this.statements.anySettled.get(JSON.stringify(this.newest)) !== undefined) return;
      // An entry of the newest batch: unsettled (just checked), so not pruned, and really rewritten.
      this.db.transaction(() => this.statements.touch.run(this.newest[0]))();
    } catch (err) {
      this.undurable = ids.concat(this.undurable);
      throw err;
    }
  }

  /** Deletes entries settled more than `ageMs` ago; returns how many. */
  prune(ageMs: number): number {
    return this.statements.prune.run(this.clock.now() - ageMs).changes;
  }

  private readonly commit = (): void => {
    const batch = this.batch;
    this.batch = [];
    let ids: number[];
    try {
      this.db.pragma('synchronous = NORMAL');
      try {
        ids = this.db.transaction(() =>
          batch.map((w) =>
            Number(
              this.statements.insert.run(w.deviceId, w.topic, w.payload, w.receivedAt, w.context)
                .lastInsertRowid,
            ),
          ),
        )();
      } finally {
        this.db.pragma(`synchronous = ${this.sync}`);
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    this.undurable.push(...ids);
    this.newest = ids;
    batch.forEach((w, i) => {
      this.remember(ids[i]!, keyOf(w.topic, w.payload));
      w.resolve();
    });
  };

  private remember(id: number, key: string): void {
    const ids = this.unclaimed.get(key);
    if (ids) ids.push(id);
    else this.unclaimed.set(key, [id]);
  }
}
