/**
 * How a device message stands against the last one a rule instance accepted. The engine hands a
 * kind its inputs in arrival order and ingest drops most retransmissions, but a kind still meets
 * a message twice (an alarm event marked as a likely retransmission, a replayed recording) or a
 * reading that arrives after a newer one (a device flushing its buffer). Acting on either would
 * count one moment twice or turn the clock back on a condition.
 */

/** What a kind keeps of the last message it accepted: plain JSON, part of its state. */
export interface SeenMessage {
  seq: number;
  ts: number;
}

/** A reading older than the last one by more than this is a device whose clock was reset (a reboot), not a late one. */
export const LATE_WINDOW_MS = 10 * 60_000;

/**
 * `repeat`: the very message accepted last (same seq and ts). `late`: older in both seq and
 * device time, within LATE_WINDOW_MS, so a newer reading has already told the state. Anything
 * else is `fresh`, including a reboot: seq from 0 with the clock running on, or reset far back.
 */
export function arrivalOf(last: SeenMessage | null, message: SeenMessage): 'fresh' | 'repeat' | 'late' {
  if (last === null) return 'fresh';
  if (message.seq === last.seq && message.ts === last.ts) return 'repeat';
  if (message.seq < last.seq && message.ts <= last.ts && last.ts - message.ts <= LATE_WINDOW_MS)
    return 'late';
  return 'fresh';
}

export const seenOf = (message: SeenMessage): SeenMessage => ({ seq: message.seq, ts: message.ts });
