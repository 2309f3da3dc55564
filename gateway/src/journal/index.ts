/** The alarm write-ahead journal: an alarm is on the disk before the device is told it arrived. */
export { type AlarmContext, AlarmJournal, type JournalClaims, type JournalEntry } from './alarm-journal.js';
export { JournalPruning, SETTLED_KEEP_MS } from './pruning.js';
export { alarmWriteAhead, type WriteAhead } from './write-ahead.js';
