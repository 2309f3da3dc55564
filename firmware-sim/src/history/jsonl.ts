import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { formatRecordedLine, parseRecordedLine } from '@careedge/edge';
import type { HistoryMessage } from './types.js';

/** Lines per write: big enough that a fortnight of 30 bands is not a million writes. */
const BATCH = 2000;

export interface WriteTally {
  messages: number;
  perChannel: Record<string, number>;
  lastTs: number;
}

/**
 * Writes messages as JSON lines (`{"ts":…,"deviceId":…,"channel":…,"payload":{…}}`), honouring
 * the stream's back-pressure, so memory stays flat however long the history. `onBatch` is
 * called after each batch (for a progress bar). Ends nothing: the caller owns the stream.
 */
export async function writeJsonLines(
  messages: Iterable<HistoryMessage>,
  out: Writable,
  onBatch: (tally: WriteTally) => void = () => {},
): Promise<WriteTally> {
  const tally: WriteTally = { messages: 0, perChannel: {}, lastTs: 0 };
  let lines: string[] = [];
  const flush = async () => {
    if (lines.length === 0) return;
    const ok = out.write(`${lines.join('\n')}\n`);
    lines = [];
    onBatch(tally);
    if (!ok) await once(out, 'drain');
  };
  for (const m of messages) {
    lines.push(formatRecordedLine(m));
    tally.messages++;
    tally.perChannel[m.channel] = (tally.perChannel[m.channel] ?? 0) + 1;
    tally.lastTs = m.ts;
    if (lines.length >= BATCH) await flush();
  }
  await flush();
  return tally;
}

/**
 * Reads back one line of the file, checked against the edge schemas (edge's parseRecordedLine):
 * throws naming `where` (file:line) and what is wrong.
 */
export const parseJsonLine: (line: string, where?: string) => HistoryMessage = parseRecordedLine;
