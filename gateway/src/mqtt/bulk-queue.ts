import { soonLast } from '../core/check-phase.js';

/**
 * Defers bulk device traffic (telemetry, heartbeats) to the check phase of the event loop, in
 * arrival order. The poll phase then only reads sockets and acknowledges, so an alarm read in the
 * same turn is handled at once instead of after thousands of telemetry messages, and the drain
 * waits for the alarm journal's commit of that turn (core/check-phase.ts; DIN VDE 0834: calls
 * have absolute priority). Each check phase handles everything queued before it, so the
 * backlog never grows from turn to turn: an overload slows the reading of sockets, which is the
 * back-pressure devices need, instead of piling up in memory.
 */
export class BulkQueue {
  private items: [string, Buffer][] = [];

  constructor(private readonly deliver: (topic: string, payload: Buffer) => void) {}

  get length(): number {
    return this.items.length;
  }

  push(topic: string, payload: Buffer): void {
    this.items.push([topic, payload]);
    if (this.items.length === 1) soonLast(this.drain);
  }

  /** Delivers everything still queued, now (on close, and in the check phase). */
  flush(): void {
    const items = this.items;
    this.items = [];
    for (const [topic, payload] of items) {
      try {
        this.deliver(topic, payload);
      } catch {
        // The deliverer handles its own errors (ingest never throws); one must not stop the rest.
      }
    }
  }

  private readonly drain = () => this.flush();
}
