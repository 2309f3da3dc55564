import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { validatePayload } from '@careedge/edge';
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
    lines.push(JSON.stringify({ ts: m.ts, deviceId: m.deviceId, channel: m.channel, payload: m.payload }));
    tally.messages++;
    tally.perChannel[m.channel] = (tally.perChannel[m.channel] ?? 0) + 1;
    tally.lastTs = m.ts;
    if (lines.length >= BATCH) await flush();
  }
  await flush();
  return tally;
}

const CHANNELS: readonly string[] = ['deviceTelemetry', 'deviceEvent', 'deviceHeartbeat', 'deviceStatus'];

/**
 * Reads back one line of the file, checked against the edge schemas: the inverse of the
 * writer, for the rules evaluation and tests. Throws naming `where` (file:line) and what is wrong.
 */
export function parseJsonLine(line: string, where = 'line'): HistoryMessage {
  let value: Partial<HistoryMessage>;
  try {
    value = JSON.parse(line) as Partial<HistoryMessage>;
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const { ts, deviceId, channel } = value;
  if (typeof ts !== 'number' || typeof deviceId !== 'string' || !CHANNELS.includes(channel as string))
    throw new Error(
      `${where}: needs ts (number), deviceId (string) and a device channel (${CHANNELS.join(', ')})`,
    );
  const decoded = validatePayload(channel as HistoryMessage['channel'], value.payload);
  if (!decoded.ok) throw new Error(`${where}: ${channel} payload: ${decoded.errors.join('; ')}`);
  return value as HistoryMessage;
}
