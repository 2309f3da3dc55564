import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutboxStore } from '../../src/forwarding/outbox-store.js';
import { makeTempDir } from '../helpers/tmp.js';

/** The newest dead letters kept (about 2 MB). */
const DEAD_LETTERS_KEPT = 10_000;

describe('found by probing: a band whose clock restarted at 1970', () => {
  /**
   * With a retention policy on the database (a common setup: keep 30 days), InfluxDB 1.x refuses
   * every point older than it with 400 "partial write: points beyond retention policy dropped=1".
   * A band whose clock fell back to 1970 after a flat battery sends such a point every few
   * seconds; each became a dead letter, and the dead-letter table grew without bound on a card
   * the outbox promises to keep bounded (maxMb counts only the chunks).
   */
  it('keeps only the newest dead letters', () => {
    const store = new OutboxStore(join(makeTempDir(), 'outbox.sqlite'));
    try {
      const refused = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          line: `wristband_vitals,site=s activity=1 ${from + i}000000`,
          error: 'partial write: points beyond retention policy dropped=1',
        }));
      store.confirm([], refused(0, DEAD_LETTERS_KEPT), 1);
      store.confirm([], refused(DEAD_LETTERS_KEPT, 10), 2);

      const kept = store.deadLetters();
      expect(kept).toHaveLength(DEAD_LETTERS_KEPT);
      expect(kept.at(0)?.line).toBe('wristband_vitals,site=s activity=1 10000000');
      expect(kept.at(-1)?.line).toBe(`wristband_vitals,site=s activity=1 ${DEAD_LETTERS_KEPT + 9}000000`);
    } finally {
      store.close();
    }
  });
});
