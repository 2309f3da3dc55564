import { EventEmitter } from 'node:events';
import type { Logger } from './logger.js';

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * A typed, synchronous event bus. Listeners are registered per owner so a module's stop() can
 * remove all of its own at once, and a throwing listener is logged instead of breaking the emitter
 * (one faulty module must not stop an SOS from reaching the dispatcher).
 */
export class EventBus<M extends { [K in keyof M]: unknown[] }> {
  private readonly emitter = new EventEmitter();
  private failures = 0;
  private readonly owned = new Map<string, { event: string; fn: (...a: unknown[]) => void }[]>();

  constructor(private readonly log: Logger) {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof M & string>(owner: string, event: K, listener: Listener<M[K]>): void {
    const fn = (...args: unknown[]) => {
      try {
        listener(...(args as M[K]));
      } catch (err) {
        this.failures++;
        this.log.error({ err, event, owner }, 'event listener failed');
      }
    };
    this.emitter.on(event, fn);
    const list = this.owned.get(owner) ?? [];
    list.push({ event, fn });
    this.owned.set(owner, list);
  }

  /** Returns false when a listener threw, so the sender can retry what must not be lost. */
  emit<K extends keyof M & string>(event: K, ...args: M[K]): boolean {
    const before = this.failures;
    this.emitter.emit(event, ...args);
    return this.failures === before;
  }

  removeOwner(owner: string): void {
    for (const { event, fn } of this.owned.get(owner) ?? []) this.emitter.off(event, fn);
    this.owned.delete(owner);
  }
}
