/**
 * When each of `count` devices sends, at `ratePerS` messages per second each, spread evenly: the
 * k-th message overall is due at `start + k · period / count` and comes from device `k mod count`.
 * Every device keeps its own exact period, and between them the sends are evenly interleaved —
 * a load of 2,000 devices at 1 msg/s is one message every 0.5 ms, not 2,000 at the top of each
 * second (which would measure the broker's burst handling, not the steady load it is asked for).
 */
export class EvenSchedule {
  private next = 0;
  private readonly spacingMs: number;

  constructor(
    readonly count: number,
    ratePerS: number,
    private readonly startMs: number,
  ) {
    if (count < 1 || ratePerS <= 0)
      throw new Error('EvenSchedule needs at least one device and a positive rate');
    this.spacingMs = 1000 / ratePerS / count;
  }

  /** When the next message is due. */
  get nextDueMs(): number {
    return this.startMs + this.next * this.spacingMs;
  }

  /** How many messages have been handed out so far. */
  get issued(): number {
    return this.next;
  }

  /**
   * The devices whose message is due at `nowMs`, oldest first. If the caller fell behind (a
   * stalled event loop), the backlog comes out at once: the offered rate is kept, and the caller
   * can report how late it was from `nextDueMs` before calling.
   */
  due(nowMs: number): number[] {
    const out: number[] = [];
    while (this.nextDueMs <= nowMs) {
      out.push(this.next % this.count);
      this.next++;
    }
    return out;
  }
}
