import type { Logger } from './logger.js';

type Listener<A extends unknown[]> = (...args: A) => void;

interface Registration {
  owner: string;
  fn: (...args: unknown[]) => void;
}

/**
 * A typed, synchronous event bus. Listeners are registered per owner so a module's stop() can
 * remove all of its own at once. Each listener is called on its own: one that throws is logged
 * and reported by owner, and never keeps the event from the others, so a sender retries just
 * the owners that failed (retrying everyone would raise an SOS a second time because, say, a
 * statistics listener had a bad moment).
 */
export class EventBus<M extends { [K in keyof M]: unknown[] }> {
  private readonly listeners = new Map<string, Registration[]>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof M & string>(owner: string, event: K, listener: Listener<M[K]>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, fn: listener as (...args: unknown[]) => void });
    this.listeners.set(event, list);
  }

  /** Calls every listener of `event`; returns the owners whose listener threw, with what it threw (empty: all fine). */
  emit<K extends keyof M & string>(event: K, ...args: M[K]): { owner: string; err: unknown }[] {
    const failed: { owner: string; err: unknown }[] = [];
    // A copy: a listener may register or remove listeners while it runs.
    for (const r of [...(this.listeners.get(event) ?? [])]) {
      const err = this.call(event, r, args);
      if (err !== undefined) failed.push({ owner: r.owner, err });
    }
    return failed;
  }

  /** Calls only `owner`'s listeners of `event` (a retry); true when none threw. */
  deliver<K extends keyof M & string>(owner: string, event: K, ...args: M[K]): boolean {
    let ok = true;
    for (const r of [...(this.listeners.get(event) ?? [])]) {
      if (r.owner === owner && this.call(event, r, args) !== undefined) ok = false;
    }
    return ok;
  }

  removeOwner(owner: string): void {
    for (const [event, list] of this.listeners) {
      this.listeners.set(
        event,
        list.filter((r) => r.owner !== owner),
      );
    }
  }

  /** Runs one listener; returns what it threw (an error), or undefined when it did not throw. */
  private call(event: string, r: Registration, args: unknown[]): unknown {
    try {
      r.fn(...args);
      return undefined;
    } catch (err) {
      this.log.error({ err, event, owner: r.owner }, 'event listener failed');
      return err ?? new Error('a listener threw undefined');
    }
  }
}
