import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseRecordedLine, type RecordedMessage } from '@careedge/edge';
import type { OfflineRules } from './offline.js';

/** Lines between progress reports: often enough for a bar, rare enough to cost nothing. */
const PROGRESS_EVERY = 20_000;
/** Bad lines quoted in the result; the rest are only counted. */
const QUOTED_PROBLEMS = 5;

export interface ReplayProgress {
  messages: number;
  bytesRead: number;
  totalBytes: number;
  /** Gateway time of the last message fed. */
  ts: number;
}

export interface ReplayRun {
  messages: number;
  firstTs: number | null;
  lastTs: number | null;
  /** Lines that were not a valid message (a recording cut off mid-line, a hand edit), with the first few. */
  skipped: { count: number; first: string[] };
  /** Messages earlier than one before them: handled at the latest time seen (the clock never goes back). */
  outOfOrder: number;
}

/**
 * Feeds messages to every rule set in one pass, in time order, then runs their clocks to the end.
 * The same messages reach each set, so two rule files are compared on exactly the same input.
 */
export async function replayMessages(
  messages: AsyncIterable<RecordedMessage | string> | Iterable<RecordedMessage | string>,
  ruleSets: readonly OfflineRules[],
  onProgress: (run: ReplayRun) => void = () => {},
): Promise<ReplayRun> {
  const run: ReplayRun = {
    messages: 0,
    firstTs: null,
    lastTs: null,
    skipped: { count: 0, first: [] },
    outOfOrder: 0,
  };
  for await (const item of messages) {
    if (typeof item === 'string') {
      skip(run, item);
      continue;
    }
    let m = item;
    if (run.lastTs !== null && m.ts < run.lastTs) {
      run.outOfOrder++;
      m = { ...m, ts: run.lastTs };
    }
    run.firstTs ??= m.ts;
    run.lastTs = m.ts;
    for (const rules of ruleSets) rules.feed(m);
    if (++run.messages % PROGRESS_EVERY === 0) onProgress(run);
  }
  if (run.lastTs !== null) for (const rules of ruleSets) rules.advanceTo(run.lastTs);
  onProgress(run);
  return run;
}

function skip(run: ReplayRun, problem: string): void {
  if (run.skipped.count++ < QUOTED_PROBLEMS) run.skipped.first.push(problem);
}

/**
 * The messages of a JSON-lines file (a recording or a simulated history), streamed: a month of a
 * large site never sits in memory. A bad line yields its problem (file:line: what) instead.
 */
export async function* readRecording(
  file: string,
  onBytes: (bytesRead: number) => void = () => {},
): AsyncGenerator<RecordedMessage | string> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (n % PROGRESS_EVERY === 0) onBytes(stream.bytesRead);
      if (line.trim() === '') continue;
      let m: RecordedMessage | string;
      try {
        m = parseRecordedLine(line, `${file}:${n}`);
      } catch (err) {
        m = (err as Error).message;
      }
      yield m;
    }
    onBytes(stream.bytesRead);
  } finally {
    // Also when the reader stops early (it wanted only the first message).
    lines.close();
    stream.destroy();
  }
}

/** Replays a file through the rule sets, reporting progress by bytes read (for a bar). */
export async function replayFile(
  file: string,
  ruleSets: readonly OfflineRules[],
  onProgress: (p: ReplayProgress) => void = () => {},
): Promise<ReplayRun> {
  const totalBytes = (await stat(file)).size;
  let bytesRead = 0;
  return replayMessages(
    readRecording(file, (b) => {
      bytesRead = b;
    }),
    ruleSets,
    (run) => onProgress({ messages: run.messages, bytesRead, totalBytes, ts: run.lastTs ?? 0 }),
  );
}
