import { performance } from 'node:perf_hooks';

/**
 * Defers bulk device traffic (telemetry, heartbeats) to the check phase of the event loop, a few
 * milliseconds of it at a time, in arrival order. The poll phase then only reads sockets and
 * acknowledges, so an alarm read in the same turn is handled at once instead of after thousands
 * of telemetry messages (DIN VDE 0834: calls have absolute priority).
 */
export class BulkQueue {
  private items: [string, Buffer][] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly deliver: (topic: string, payload: Buffer) => void,
    private readonly budgetMs = 4,
    /**
     * Past this backlog the queue stops deferring and catches up at once: the gateway then reads
     * sockets more slowly, which is the back-pressure devices need, instead of holding an
     * ever-growing backlog in memory (an overloaded Pi would run out of it, alarms and all).
     */
    private readonly maxQueued = 20_000,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  push(topic: string, payload: Buffer): void {
    if (this.length >= this.maxQueued) this.flush();
    this.items.push([topic, payload]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Delivers everything still queued, now (on close). */
  flush(): void {
    while (this.head < this.items.length) this.next();
    this.items = [];
    this.head = 0;
  }

  private readonly drain = () => {
    this.scheduled = false;
    const until = performance.now() + this.budgetMs;
    while (this.head < this.items.length) {
      this.next();
      // Check the time every 32 messages: reading the clock costs more than a message here.
      if ((this.head & 31) === 0 && performance.now() >= until) break;
    }
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
    } else {
      if (this.head > 4096) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.scheduled = true;
      setImmediate(this.drain);
    }
  };

  private next(): void {
    const [topic, payload] = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as [string, Buffer];
    try {
      this.deliver(topic, payload);
    } catch {
      // The deliverer handles its own errors (ingest never throws); one must not stop the queue.
    }
  }
}
