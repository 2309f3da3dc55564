import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import { FeedbackStore } from './store.js';

/**
 * The Happy Index per kiosk or zone and hour, as the HTTP API answers it (api/feedback.ts
 * declares what it needs, `HappyIndexReading`; feedback/ may not import api/).
 */
export class HappyIndex {
  /** Over the feedback tables of the gateway's SQLite file (created if new). */
  static of(db: Db, clock: Pick<Clock, 'now'>): HappyIndex {
    return new HappyIndex(new FeedbackStore(db), clock);
  }

  constructor(
    private readonly store: FeedbackStore,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  read(q: { by: 'kiosk' | 'zone'; from: number; to: number }) {
    return this.store.happyIndex(q.by, q.from, q.to).map((r) => ({
      [q.by]: r.key,
      hour: new Date(r.hour).toISOString(),
      taps: r.taps,
      happyIndex: r.happyIndex,
      faces: r.faces,
      filtered: r.filtered,
    }));
  }

  now(): number {
    return this.clock.now();
  }
}
