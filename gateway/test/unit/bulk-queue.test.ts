import { describe, expect, it } from 'vitest';
import { BulkQueue } from '../../src/mqtt/bulk-queue.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a telemetry message that takes a while
  }
};
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('bulk queue (telemetry after alarms)', () => {
  it('delivers in order after the turn that read them, and never lets the backlog grow across turns', async () => {
    const seen: string[] = [];
    const q = new BulkQueue((topic) => {
      busy(0.01);
      seen.push(topic);
    });
    for (let i = 0; i < 500; i++) q.push(`t${i}`, Buffer.alloc(0));
    expect(seen).toEqual([]); // nothing in the turn that read the messages
    await nextTurn();
    // Everything that had arrived, in one check phase.
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => `t${i}`));
    expect(q.length).toBe(0);
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
