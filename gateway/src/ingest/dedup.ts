/** What the sequence check says about a message. */
export type SeqVerdict = { kind: 'new'; missing: number } | { kind: 'duplicate' } | { kind: 'restart' };

const WINDOW = 64;
const FIRST_CAPACITY = 4;
/**
 * A retransmission comes within seconds (QoS 1 redelivery, a device retry). An identical
 * (seq, ts) pair much later is a device that rebooted without a working clock, and what it sends
 * may be a real call: after this long it is never taken as a duplicate.
 */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

/**
 * The last WINDOW messages of a sender as (seq, ts, arrival) triples in one typed array: 5,000
 * devices with a Map of 64 small objects each held ~37 MB of the heap; this holds ~8 MB. The
 * array starts small and doubles as it fills: a sender's status stream (a message per connect)
 * never needs the whole window, and 5,000 full ones for it were 7.5 MB of the gateway's heap.
 */
class RecentRing {
  private slots = new Float64Array(FIRST_CAPACITY * 3);
  private size = 0;
  private next = 0;

  /** The slot holding `seq`, or -1. */
  private find(seq: number): number {
    for (let i = 0; i < this.size; i++) if (this.slots[i * 3] === seq) return i;
    return -1;
  }

  get(seq: number): { ts: number; at: number } | undefined {
    const i = this.find(seq);
    return i < 0 ? undefined : { ts: this.slots[i * 3 + 1]!, at: this.slots[i * 3 + 2]! };
  }

  has(seq: number): boolean {
    return this.find(seq) >= 0;
  }

  /** Records `seq`: in its own slot if seen, else in the oldest slot once the ring is full. */
  set(seq: number, ts: number, at: number): void {
    const i = this.find(seq);
    if (i < 0) this.add(seq, ts, at);
    else this.write(i, seq, ts, at);
  }

  /** Records a `seq` known not to be in the ring, in the oldest slot once the ring is full. */
  add(seq: number, ts: number, at: number): void {
    if (this.size === this.slots.length / 3 && this.size < WINDOW) this.grow();
    const i = this.next;
    this.next = (this.next + 1) % WINDOW;
    if (this.size < WINDOW) this.size++;
    this.write(i, seq, ts, at);
  }

  private write(i: number, seq: number, ts: number, at: number): void {
    this.slots[i * 3] = seq;
    this.slots[i * 3 + 1] = ts;
    this.slots[i * 3 + 2] = at;
  }

  /** Only while not yet full: the slots are then in arrival order from 0, as `next` assumes. */
  private grow(): void {
    const bigger = new Float64Array(Math.min(WINDOW, this.size * 2) * 3);
    bigger.set(this.slots);
    this.slots = bigger;
  }

  clear(): void {
    this.size = 0;
    this.next = 0;
  }
}

interface SenderState {
  lastSeq: number;
  lastTs: number;
  /** Recently seen seq → its ts and when it arrived, to recognise late retransmissions. */
  recent: RecentRing;
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
      const recent = new RecentRing();
      recent.set(seq, ts, now);
      this.senders.set(sender, { lastSeq: seq, lastTs: ts, recent });
      return { kind: 'new', missing: 0 };
    }
    // The ring holds no seq above lastSeq: the usual next message needs no search of it.
    const fresh = seq > s.lastSeq;
    const seen = fresh ? undefined : s.recent.get(seq);
    if (seen?.ts === ts && now - seen.at < DUPLICATE_WINDOW_MS) return { kind: 'duplicate' };
    let verdict: SeqVerdict;
    if (fresh) {
      verdict = { kind: 'new', missing: seq - s.lastSeq - 1 };
    } else if ((ts > s.lastTs || seen?.ts === ts) && (seen !== undefined || seq < s.lastSeq - WINDOW)) {
      verdict = { kind: 'restart' };
      s.recent.clear();
    } else {
      // Late arrival of an older message we had not seen: accept it, it only filled a gap.
      verdict = { kind: 'new', missing: 0 };
    }
    if (verdict.kind === 'restart' || fresh) {
      s.lastSeq = seq;
      s.lastTs = Math.max(s.lastTs, ts);
    }
    if (fresh) s.recent.add(seq, ts, now);
    else s.recent.set(seq, ts, now);
    return verdict;
  }
}
