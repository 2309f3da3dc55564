import { describe, expect, it } from 'vitest';
import { BulkQueue } from '../../src/mqtt/bulk-queue.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a telemetry message that takes a while
  }
};

describe('bulk queue (telemetry after alarms)', () => {
  it('delivers in order, a few ms at a time, letting I/O callbacks run in between', async () => {
    const seen: string[] = [];
    const q = new BulkQueue((topic) => {
      busy(0.05);
      seen.push(topic);
    }, 2);
    for (let i = 0; i < 2000; i++) q.push(`t${i}`, Buffer.alloc(0));
    expect(seen).toEqual([]); // nothing in the turn that read the messages
    // Something the event loop gets to between two slices (as an alarm's socket read would).
    const between = new Promise<number>((resolve) => setTimeout(() => resolve(seen.length), 0));
    const handledBefore = await between;
    expect(handledBefore).toBeGreaterThan(0);
    expect(handledBefore).toBeLessThan(2000);
    await new Promise<void>((resolve) => {
      const check = () => (q.length === 0 ? resolve() : setImmediate(check));
      check();
    });
    expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => `t${i}`));
  });

  it('stops deferring past its backlog limit: catches up at once, in order', () => {
    const seen: string[] = [];
    const q = new BulkQueue((topic) => seen.push(topic), 4, 3);
    for (const t of ['a', 'b', 'c']) q.push(t, Buffer.alloc(0));
    expect(seen).toEqual([]);
    q.push('d', Buffer.alloc(0)); // the fourth: the three before it are handled now
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(q.length).toBe(1);
  });

  it('flushes what is left at once on close, and survives a deliverer that throws', () => {
    const seen: string[] = [];
    const q = new BulkQueue((topic) => {
      if (topic === 'bad') throw new Error('boom');
      seen.push(topic);
    });
    q.push('a', Buffer.alloc(0));
    q.push('bad', Buffer.alloc(0));
    q.push('b', Buffer.alloc(0));
    q.flush();
    expect(seen).toEqual(['a', 'b']);
    expect(q.length).toBe(0);
  });
});
