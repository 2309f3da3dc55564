import type { BulkHandled } from '../broker/index.js';
import { soonLast } from '../core/check-phase.js';

type Item = [topic: string, payload: Buffer, handled: BulkHandled | undefined];

/**
 * Defers bulk device traffic (telemetry, heartbeats) to the check phase of the event loop, in
 * arrival order. The poll phase then only reads sockets and acknowledges, so an alarm read in the
 * same turn is handled at once instead of after thousands of telemetry messages, and the drain
 * waits for the alarm journal's commit of that turn (core/check-phase.ts; DIN VDE 0834: calls
 * have absolute priority). Each check phase handles everything queued before it, so the
 * backlog never grows from turn to turn: an overload slows the reading of sockets, which is the
 * back-pressure devices need, instead of piling up in memory.
 *
 * A message whose acknowledgement waits for the gateway (`handled`) is told once delivered, with
 * what `afterHandling` names to wait for (the forwarding outbox's commit).
 */
export class BulkQueue {
  private items: Item[] = [];

  constructor(
    private readonly deliver: (topic: string, payload: Buffer) => void,
    private readonly afterHandling: () => Promise<void> | undefined = () => undefined,
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(topic: string, payload: Buffer, handled?: BulkHandled): void {
    this.items.push([topic, payload, handled]);
    if (this.items.length === 1) soonLast(this.drain);
  }

  /** Delivers everything still queued, now (on close, and in the check phase). */
  flush(): void {
    const items = this.items;
    this.items = [];
    let waiting = false;
    for (const [topic, payload, handled] of items) {
      try {
        this.deliver(topic, payload);
      } catch {
        // The deliverer handles its own errors (ingest never throws); one must not stop the rest.
      }
      if (handled) waiting = true;
    }
    if (!waiting) return;
    // Asked once, after the whole drain: what the messages became is then all in the outbox, and
    // its next hand-over covers every one of them.
    let after: Promise<void> | undefined;
    try {
      after = this.afterHandling();
    } catch {
      after = undefined;
    }
    for (const item of items) item[2]?.(after);
  }

  private readonly drain = () => this.flush();
}
