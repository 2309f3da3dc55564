import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutboxStore } from '../../src/forwarding/outbox-store.js';
import { makeTempDir } from '../helpers/tmp.js';

const chunk = (cls: 'routine' | 'precious', tag: string, points = 10) => ({
  class: cls,
  points,
  lines: Array.from({ length: points }, (_, i) => `m,t=${tag} v=${i}i ${i}`).join('\n'),
});

describe('outbox store (SQLite file)', () => {
  it('drops the oldest routine chunks to the limit, never a precious one, and keeps its totals across reopening', () => {
    const file = join(makeTempDir(), 'outbox.sqlite');
    const store = new OutboxStore(file);
    store.add([chunk('precious', 'alert'), chunk('routine', 'r1')], 1);
    store.add([chunk('routine', 'r2')], 2);
    store.add([chunk('routine', 'r3')], 3);
    const bytes = (c: { lines: string }) => Buffer.byteLength(c.lines);
    const limit = bytes(chunk('precious', 'alert')) + bytes(chunk('routine', 'r3'));
    expect(store.trim(limit, [])).toBe(20); // r1, r2 went; alert and r3 stay
    expect(store.next(1000).map((c) => c.lines.split(' ')[0])).toEqual(['m,t=alert', 'm,t=r3']);
    // Over the limit with precious points only: they stay.
    expect(store.trim(1, [])).toBe(10);
    expect(store.points).toBe(10);
    store.close();
    const reopened = new OutboxStore(file);
    expect(reopened.points).toBe(10);
    expect(reopened.next(1000)[0]?.class).toBe('precious');
    reopened.close();
  });

  it('does not drop newer telemetry in place of the oldest chunk while that one is being written', () => {
    const store = new OutboxStore(join(makeTempDir(), 'outbox.sqlite'));
    store.add([chunk('routine', 'old'), chunk('routine', 'new')], 1);
    const [oldest] = store.next(10);
    expect(store.trim(1, [oldest!.id])).toBe(0);
    store.confirm([oldest!.id], [{ line: 'bad line', error: 'unable to parse' }], 2);
    expect(store.deadLetters()).toEqual([{ at: 2, error: 'unable to parse', line: 'bad line' }]);
    expect(store.trim(1, [])).toBe(10);
    expect(store.points).toBe(0);
    store.close();
  });
});
