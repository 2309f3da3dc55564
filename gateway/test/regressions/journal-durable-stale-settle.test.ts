/**
 * found by probing: AlarmJournal.durable() took any settled entry among those waiting for a sync
 * as proof that all of them were on the disk. After a sync that failed (the card refused the
 * write), the entry it left waiting was settled later by the alert's retry; the next alarm's
 * entry, committed after that retry without a sync, was then taken for synced too: its SOS was
 * acknowledged with nothing on the disk, and nothing logged. A settle's sync covers only what was
 * committed before it.
 */
import { topicFor } from '@careedge/edge';
import { expect, it } from 'vitest';
import { AlarmJournal } from '../../src/journal/index.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';

const topic = (id: string) => topicFor('deviceEvent', 'testsite', id);
const sos = (seq: number) => Buffer.from(JSON.stringify({ seq, ts: 1_767_261_600_000, type: 'sos' }));

it('syncs an entry committed after the settle of an entry whose own sync had failed', async () => {
  const { db } = openTempDatabase();
  const journal = new AlarmJournal(db, fakeClock().clock);
  const changes = () => db.prepare('SELECT total_changes()').pluck().get() as number;

  // Rose's SOS: the alert could not be recorded, and the card refuses the sync's write too.
  await journal.record('wb-1', topic('wb-1'), sos(1));
  db.exec(`CREATE TRIGGER refuse BEFORE UPDATE ON alarm_journal BEGIN SELECT RAISE(ABORT, 'card busy'); END`);
  expect(() => journal.durable()).toThrow('card busy');
  db.exec('DROP TRIGGER refuse');
  // The card recovers; the alert's retry records Rose's alert and settles her entry (a synced commit).
  db.transaction(journal.claim(topic('wb-1'), sos(1))!)();

  // Harold's SOS comes after: its entry is committed without a sync, and its alert is not recorded.
  await journal.record('wb-2', topic('wb-2'), sos(1));
  const before = changes();
  journal.durable();
  expect(changes() - before, "Harold's entry synced by a write of its own").toBe(1);
});
