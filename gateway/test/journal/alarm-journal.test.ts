import { alarmDeviceOf, topicFor } from '@careedge/edge';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/db.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import { AlarmJournal, alarmWriteAhead, JournalPruning, SETTLED_KEEP_MS } from '../../src/journal/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';

const SITE = 'testsite';
const eventTopic = (id: string) => topicFor('deviceEvent', SITE, id);
const sos = (seq: number) => Buffer.from(JSON.stringify({ seq, ts: 1_767_261_600_000, type: 'sos' }));

/** What another process would find in the file: a second connection sees only committed rows. */
function committedRows(file: string): { device_id: string; settled_at: number | null }[] {
  const reader = new Database(file, { readonly: true });
  try {
    return reader.prepare('SELECT device_id, settled_at FROM alarm_journal ORDER BY id').all() as never;
  } finally {
    reader.close();
  }
}

function journalOnFile() {
  const { db, file } = openTempDatabase();
  const time = fakeClock();
  return { db, file, time, journal: new AlarmJournal(db, time.clock) };
}

describe('alarm journal: one sync per alarm', () => {
  const changes = (db: ReturnType<typeof openTempDatabase>['db']) =>
    db.prepare('SELECT total_changes()').pluck().get() as number;

  it('commits its entries without a sync of their own, and puts synchronous=FULL back', async () => {
    const { db, journal } = journalOnFile();
    const said: string[] = [];
    const pragma = db.pragma.bind(db);
    db.pragma = ((source: string, options?: object) => {
      said.push(source);
      return pragma(source, options);
    }) as typeof db.pragma;
    await journal.record('wb-1', eventTopic('wb-1'), sos(1));
    expect(said).toEqual(['synchronous = NORMAL', 'synchronous = 2']);
    expect(pragma('synchronous', { simple: true }), 'FULL again for every other commit').toBe(2);
  });

  it('puts synchronous=FULL back when the card is full and the entries cannot be committed', async () => {
    const { db, journal } = journalOnFile();
    await journal.record('wb-1', eventTopic('wb-1'), sos(1));
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`); // no page to grow by
    const big = Buffer.from(JSON.stringify({ seq: 2, ts: 1, type: 'sos', note: 'x'.repeat(8000) }));
    await expect(journal.record('wb-2', eventTopic('wb-2'), big)).rejects.toThrow('database or disk is full');
    expect(db.pragma('synchronous', { simple: true }), 'every later alert commit still synced').toBe(2);
  });

  it('durable(): nothing more to write once an alert commit settled an entry of the batch', async () => {
    const { db, journal } = journalOnFile();
    await Promise.all([1, 2].map((n) => journal.record(`wb-${n}`, eventTopic(`wb-${n}`), sos(n))));
    const settle = journal.claim(eventTopic('wb-1'), sos(1))!;
    db.transaction(settle)(); // the alert's commit, with its sync
    const before = changes(db);
    journal.durable();
    expect(changes(db) - before, 'no write of its own').toBe(0);
  });

  it('durable(): a commit of its own when nothing settled the entries (the alert was not recorded)', async () => {
    const { db, journal } = journalOnFile();
    await journal.record('wb-1', eventTopic('wb-1'), sos(1));
    const before = changes(db);
    journal.durable();
    expect(changes(db) - before, 'one row rewritten, its commit synced').toBe(1);
    journal.durable();
    expect(changes(db) - before, 'once').toBe(1);
  });

  it('durable() on a disk that refuses the write throws, and tries again next time', async () => {
    const { db, journal } = journalOnFile();
    await journal.record('wb-1', eventTopic('wb-1'), sos(1));
    db.exec(
      `CREATE TRIGGER refuse BEFORE UPDATE ON alarm_journal BEGIN SELECT RAISE(ABORT, 'card full'); END`,
    );
    expect(() => journal.durable()).toThrow('card full');
    db.exec('DROP TRIGGER refuse');
    const before = changes(db);
    journal.durable();
    expect(changes(db) - before).toBe(1);
  });

  it('a failed sync lets the alarm be acknowledged, logged and counted, never thrown', async () => {
    const { db, journal } = journalOnFile();
    const metrics = createMetrics();
    const writeAhead = alarmWriteAhead(journal, silentLogger(), metrics.registry);
    await writeAhead(eventTopic('wb-1'), sos(1));
    db.exec(
      `CREATE TRIGGER refuse BEFORE UPDATE ON alarm_journal BEGIN SELECT RAISE(ABORT, 'card full'); END`,
    );
    expect(() => writeAhead.durable()).not.toThrow();
    const counted = (await metrics.registry.getSingleMetric('careedge_alarm_journal_records_total')!.get())
      .values;
    expect(Object.fromEntries(counted.map((v) => [v.labels.result, v.value]))).toEqual({ ok: 1, failed: 1 });
  });
});

describe('alarm journal: record', () => {
  it('resolves only once the entry is committed, visible to another connection', async () => {
    const { file, journal } = journalOnFile();
    const recorded = journal.record('wb-1', eventTopic('wb-1'), sos(1));
    expect(committedRows(file)).toEqual([]); // not before the commit…
    await recorded;
    expect(committedRows(file)).toEqual([{ device_id: 'wb-1', settled_at: null }]); // …but at once after
  });

  it('commits the records of one event-loop turn in one transaction (group commit)', async () => {
    const { db, file, journal } = journalOnFile();
    // A row that cannot be written makes its whole transaction fail: that shows which records
    // shared one.
    db.exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON alarm_journal WHEN NEW.device_id = 'bad'
             BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const sameTurn = ['wb-1', 'bad', 'wb-3'].map((id) =>
      journal.record(id, eventTopic(id), sos(1)).then(
        () => 'ok',
        (err: Error) => err.message,
      ),
    );
    expect(await Promise.all(sameTurn)).toEqual(['disk says no', 'disk says no', 'disk says no']);
    expect(committedRows(file)).toEqual([]);

    // Two hundred bands at once: one batch, every one committed.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => journal.record(`wb-${i}`, eventTopic(`wb-${i}`), sos(i))),
    );
    expect(committedRows(file)).toHaveLength(200);
  });

  it('rejects when the database cannot be written', async () => {
    const { db, journal } = journalOnFile();
    db.close(); // as good as a card that went away
    await expect(journal.record('wb-1', eventTopic('wb-1'), sos(1))).rejects.toThrow(/not open/);
  });
});

describe('alarm journal: claim and settle', () => {
  it('hands out each entry once, oldest first, matched by topic and exact payload bytes', async () => {
    const { file, journal } = journalOnFile();
    // A QoS 1 redelivery: the same bytes twice, so two entries.
    await Promise.all([
      journal.record('wb-1', eventTopic('wb-1'), sos(1)),
      journal.record('wb-1', eventTopic('wb-1'), sos(1)),
      journal.record('wb-2', eventTopic('wb-2'), sos(1)),
    ]);
    expect(journal.claim(eventTopic('wb-1'), sos(2))).toBeUndefined(); // other bytes
    expect(journal.claim(eventTopic('wb-3'), sos(1))).toBeUndefined(); // other topic
    const first = journal.claim(eventTopic('wb-1'), sos(1));
    const second = journal.claim(eventTopic('wb-1'), sos(1));
    expect(journal.claim(eventTopic('wb-1'), sos(1))).toBeUndefined();
    expect(first && second).toBeDefined();

    second!();
    expect(committedRows(file).map((r) => r.settled_at !== null)).toEqual([false, true, false]);
    first!();
    expect(journal.unsettled().map((e) => e.deviceId)).toEqual(['wb-2']);
  });

  it('settles inside the caller transaction: a rollback leaves the entry for a retry', async () => {
    const { db, journal } = journalOnFile();
    await journal.record('wb-1', eventTopic('wb-1'), sos(1));
    const settle = journal.claim(eventTopic('wb-1'), sos(1))!;
    const failingAlertCommit = db.transaction(() => {
      settle();
      throw new Error('the alert could not be written');
    });
    expect(failingAlertCommit).toThrow();
    expect(journal.unsettled()).toHaveLength(1);
    db.transaction(() => settle())(); // the retry
    expect(journal.unsettled()).toEqual([]);
  });
});

describe('alarm journal: after a restart', () => {
  it('lists the unsettled entries in order, with their bytes, and claims them again', async () => {
    const { db, file, time, journal } = journalOnFile();
    await journal.record('wb-2', eventTopic('wb-2'), sos(7));
    await journal.record('wb-1', eventTopic('wb-1'), sos(1));
    await journal.record('wb-3', eventTopic('wb-3'), sos(3));
    journal.claim(eventTopic('wb-1'), sos(1))!();
    journal.claim(eventTopic('wb-3'), sos(3)); // claimed, then the process died before the alert
    db.close();

    const reopened = new AlarmJournal(openDatabase(file), time.clock);
    const backlog = reopened.unsettled();
    expect(backlog.map((e) => [e.deviceId, e.topic])).toEqual([
      ['wb-2', eventTopic('wb-2')],
      ['wb-3', eventTopic('wb-3')],
    ]);
    expect(Buffer.compare(backlog[0]!.payload, sos(7))).toBe(0);
    expect(reopened.claim(eventTopic('wb-3'), sos(3))).toBeDefined();
  });
});

describe('alarm journal: pruning', () => {
  it('deletes settled entries older than a day, at start and every hour, and keeps unsettled ones', async () => {
    const { file, journal, time } = journalOnFile();
    await journal.record('wb-1', eventTopic('wb-1'), sos(1));
    await journal.record('wb-2', eventTopic('wb-2'), sos(2));
    journal.claim(eventTopic('wb-1'), sos(1))!();
    const pruning = new JournalPruning(journal, time.clock, silentLogger());
    pruning.start();
    expect(committedRows(file)).toHaveLength(2);

    await time.tick(SETTLED_KEEP_MS); // hourly prunes so far; the settled entry is a day old, not older
    expect(committedRows(file)).toHaveLength(2);
    await time.tick(3600_000); // the next one finds it older than a day
    expect(committedRows(file)).toEqual([{ device_id: 'wb-2', settled_at: null }]);
    pruning.stop();
  });
});

describe('which publishes are alarms', () => {
  it('is a device event whose JSON type is sos, fall or call, and nothing else', () => {
    const topic = eventTopic('wb-1');
    const of = (t: string, body: unknown) =>
      alarmDeviceOf(t, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
    expect(of(topic, { seq: 1, ts: 1, type: 'sos' })).toBe('wb-1');
    expect(of(topic, { type: 'fall', extra: 'new firmware' })).toBe('wb-1'); // schema-breaking, still an alarm
    expect(of(eventTopic('btn-1'), { seq: 1, ts: 1, type: 'call' })).toBe('btn-1');
    expect(of(topic, { seq: 1, ts: 1, type: 'presence', on: true })).toBeUndefined();
    expect(of(topic, 'not json {')).toBeUndefined();
    expect(of(topic, 'null')).toBeUndefined();
    expect(of(topicFor('deviceTelemetry', SITE, 'wb-1'), { type: 'sos' })).toBeUndefined();
    expect(of('elsewhere/device/wb-1/event', { type: 'sos' })).toBeUndefined();
  });

  it('a failed journal write lets the alarm through, logged and counted', async () => {
    const { db, journal } = journalOnFile();
    const metrics = createMetrics();
    const writeAhead = alarmWriteAhead(journal, silentLogger(), metrics.registry);
    expect(writeAhead(topicFor('deviceTelemetry', SITE, 'wb-1'), Buffer.from('{}'))).toBeUndefined();
    await writeAhead(eventTopic('wb-1'), sos(1));
    db.close();
    await expect(writeAhead(eventTopic('wb-1'), sos(2))).resolves.toBeUndefined();
    const counted = (await metrics.registry.getSingleMetric('careedge_alarm_journal_records_total')!.get())
      .values;
    expect(Object.fromEntries(counted.map((v) => [v.labels.result, v.value]))).toEqual({ ok: 1, failed: 1 });
  });
});
