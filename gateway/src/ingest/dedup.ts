/** What the sequence check says about a message. */
export type SeqVerdict = { kind: 'new'; missing: number } | { kind: 'duplicate' } | { kind: 'restart' };

const WINDOW = 64;
/**
 * A retransmission comes within seconds (QoS 1 redelivery, a device retry). An identical
 * (seq, ts) pair much later is a device that rebooted without a working clock, and what it sends
 * may be a real call: after this long it is never taken as a duplicate.
 */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

interface SenderState {
  lastSeq: number;
  lastTs: number;
  /** Recently seen seq → its ts and when it arrived, to recognise late retransmissions. */
  recent: Map<number, { ts: number; at: number }>;
}

/**
 * Drops retransmissions and notices gaps, per sender. A retransmission (QoS 1 redelivery or a
 * device retry) repeats both `seq` and `ts`; a device that rebooted restarts `seq` with a newer
 * `ts`, which is not a duplicate. Memory is bounded: 64 recent entries per sender.
 */
export class SequenceTracker {
  private readonly senders = new Map<string, SenderState>();

  /** `now` is the gateway's clock, for the duplicate window. */
  check(sender: string, seq: number, ts: number, now = 0): SeqVerdict {
    const s = this.senders.get(sender);
    if (!s) {
      this.senders.set(sender, { lastSeq: seq, lastTs: ts, recent: new Map([[seq, { ts, at: now }]]) });
      return { kind: 'new', missing: 0 };
    }
    const seen = s.recent.get(seq);
    if (seen?.ts === ts && now - seen.at < DUPLICATE_WINDOW_MS) return { kind: 'duplicate' };
    let verdict: SeqVerdict;
    if (seq > s.lastSeq) {
      verdict = { kind: 'new', missing: seq - s.lastSeq - 1 };
    } else if ((ts > s.lastTs || seen?.ts === ts) && (s.recent.has(seq) || seq < s.lastSeq - WINDOW)) {
      verdict = { kind: 'restart' };
      s.recent.clear();
    } else {
      // Late arrival of an older message we had not seen: accept it, it only filled a gap.
      verdict = { kind: 'new', missing: 0 };
    }
    if (verdict.kind === 'restart' || seq > s.lastSeq) {
      s.lastSeq = seq;
      s.lastTs = Math.max(s.lastTs, ts);
    }
    s.recent.set(seq, { ts, at: now });
    if (s.recent.size > WINDOW) s.recent.delete(s.recent.keys().next().value!);
    return verdict;
  }
}
