import { describe, expect, it } from 'vitest';
import { DUPLICATE_WINDOW_MS, SequenceTracker } from '../../src/ingest/dedup.js';

describe('sequence tracker (retransmissions, gaps, reboots)', () => {
  it('accepts new messages and drops an exact retransmission', () => {
    const t = new SequenceTracker();
    expect(t.check('wb-1', 0, 1000)).toEqual({ kind: 'new', missing: 0 });
    expect(t.check('wb-1', 1, 1001)).toEqual({ kind: 'new', missing: 0 });
    expect(t.check('wb-1', 1, 1001)).toEqual({ kind: 'duplicate' });
    expect(t.check('wb-1', 0, 1000)).toEqual({ kind: 'duplicate' });
  });

  it('counts the messages missing in a gap', () => {
    const t = new SequenceTracker();
    t.check('wb-1', 5, 1000);
    expect(t.check('wb-1', 9, 1004)).toEqual({ kind: 'new', missing: 3 });
  });

  it('takes a repeated seq with a newer ts as a device restart, not a duplicate', () => {
    const t = new SequenceTracker();
    t.check('wb-1', 0, 1000);
    t.check('wb-1', 1, 1001);
    expect(t.check('wb-1', 0, 5000)).toEqual({ kind: 'restart' });
    expect(t.check('wb-1', 1, 5001)).toEqual({ kind: 'new', missing: 0 });
  });

  it('accepts a late, older message once and keeps senders apart', () => {
    const t = new SequenceTracker();
    t.check('wb-1', 10, 1010);
    expect(t.check('wb-1', 8, 1008)).toEqual({ kind: 'new', missing: 0 });
    expect(t.check('wb-1', 8, 1008)).toEqual({ kind: 'duplicate' });
    expect(t.check('wb-2', 10, 1010)).toEqual({ kind: 'new', missing: 0 });
  });

  it('keeps a bounded window per sender', () => {
    const t = new SequenceTracker();
    for (let i = 0; i < 1000; i++) t.check('wb-1', i, 1000 + i);
    // seq 0 fell out of the window; with its old ts it is an old late message, not a duplicate.
    expect(t.check('wb-1', 0, 1000)).toEqual({ kind: 'new', missing: 0 });
    expect(t.check('wb-1', 999, 1999)).toEqual({ kind: 'duplicate' });
  });

  it('recognises a retransmission of any of the last 64 messages, while the window grows and once it wraps', () => {
    for (const sent of [3, 5, 17, 64, 1000]) {
      const t = new SequenceTracker();
      for (let i = 0; i < sent; i++) t.check('wb-1', i, 1000 + i);
      for (let i = Math.max(0, sent - 64); i < sent; i++) {
        expect(t.check('wb-1', i, 1000 + i), `seq ${i} of ${sent}`).toEqual({ kind: 'duplicate' });
      }
      if (sent > 64)
        expect(t.check('wb-1', sent - 65, 1000 + sent - 65)).toEqual({ kind: 'new', missing: 0 });
    }
  });

  it('never calls a message a duplicate long after the original (a clockless device rebooted)', () => {
    const t = new SequenceTracker();
    expect(t.check('btn', 0, 0, 1000)).toEqual({ kind: 'new', missing: 0 });
    expect(t.check('btn', 0, 0, 1000 + 5_000)).toEqual({ kind: 'duplicate' });
    expect(t.check('btn', 0, 0, 1000 + DUPLICATE_WINDOW_MS)).not.toEqual({ kind: 'duplicate' });
  });
});
