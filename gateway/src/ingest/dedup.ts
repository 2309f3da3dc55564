/** What the sequence check says about a message. */
export type SeqVerdict = { kind: 'new'; missing: number } | { kind: 'duplicate' } | { kind: 'restart' };

const WINDOW = 64;

interface SenderState {
  lastSeq: number;
  lastTs: number;
  /** Recently seen seq → ts, to recognise retransmissions that arrive out of order. */
  recent: Map<number, number>;
}

/**
 * Drops retransmissions and notices gaps, per sender. A retransmission (QoS 1 redelivery or a
 * device retry) repeats both `seq` and `ts`; a device that rebooted restarts `seq` with a newer
 * `ts`, which is not a duplicate. Memory is bounded: 64 recent entries per sender.
 */
export class SequenceTracker {
  private readonly senders = new Map<string, SenderState>();

  check(sender: string, seq: number, ts: number): SeqVerdict {
    const s = this.senders.get(sender);
    if (!s) {
      this.senders.set(sender, { lastSeq: seq, lastTs: ts, recent: new Map([[seq, ts]]) });
      return { kind: 'new', missing: 0 };
    }
    if (s.recent.get(seq) === ts) return { kind: 'duplicate' };
    let verdict: SeqVerdict;
    if (seq > s.lastSeq) {
      verdict = { kind: 'new', missing: seq - s.lastSeq - 1 };
    } else if (ts > s.lastTs && (s.recent.has(seq) || seq < s.lastSeq - WINDOW)) {
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
    s.recent.set(seq, ts);
    if (s.recent.size > WINDOW) s.recent.delete(s.recent.keys().next().value!);
    return verdict;
  }

  forget(sender: string): void {
    this.senders.delete(sender);
  }
}
