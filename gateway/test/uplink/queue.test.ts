import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UplinkQueue } from '../../src/uplink/queue.js';
import { makeTempDir } from '../helpers/tmp.js';

const payload = (seq: number) => JSON.stringify({ seq });

describe('the uplink queue (real SQLite file)', () => {
  it('keeps messages across a reopen, numbers them for good, and queues an id once', () => {
    const file = join(makeTempDir('careedge-uplink-'), 'uplink.sqlite');
    let q = new UplinkQueue(file, 100);
    q.add('alerts', 'a1', 't/alerts', payload);
    q.add('alerts', 'a2', 't/alerts', payload);
    q.add('alerts', 'a2', 't/alerts', payload); // the same change announced again
    expect(q.size).toBe(2);
    q.delete([1, 2]);
    q.add('kpis', 'k1', 't/kpis', payload);
    q.close();

    q = new UplinkQueue(file, 100);
    expect(q.size).toBe(1);
    q.add('alerts', 'a3', 't/alerts', payload);
    // Never a seq again once used, even after its row was deleted: a gap upstream means a drop.
    expect(q.after(0, 10).map((m) => [m.seq, m.stream, JSON.parse(m.payload).seq])).toEqual([
      [3, 'kpis', 3],
      [4, 'alerts', 4],
    ]);
    q.close();
  });

  it('full: drops the oldest KPI summary first, an alert change only when no summary is left', () => {
    const q = new UplinkQueue(join(makeTempDir('careedge-uplink-'), 'uplink.sqlite'), 4);
    expect(q.add('alerts', 'a1', 't', payload)).toBeUndefined();
    q.add('kpis', 'k1', 't', payload);
    q.add('alerts', 'a2', 't', payload);
    q.add('kpis', 'k2', 't', payload);
    expect(q.add('alerts', 'a3', 't', payload)).toBe('kpis');
    expect(q.add('alerts', 'a4', 't', payload)).toBe('kpis');
    expect(q.add('alerts', 'a5', 't', payload)).toBe('alerts');
    expect(q.size).toBe(4);
    expect(q.after(0, 10).map((m) => m.seq)).toEqual([3, 5, 6, 7]);
    q.close();
  });

  /**
   * Found by probing: the queue shares the SD card with the alarm database; a long broker outage
   * on a nearly full card could fill it, and an SOS would then only be paged as unrecorded.
   */
  it('with the disk below its reserve: counts as full and does not grow, KPI summaries first', () => {
    let free = 10_000_000;
    const q = new UplinkQueue(
      join(makeTempDir('careedge-uplink-'), 'uplink.sqlite'),
      100,
      1_000_000,
      () => free,
    );
    q.add('alerts', 'a1', 't', payload);
    q.add('kpis', 'k1', 't', payload);
    q.add('alerts', 'a2', 't', payload);
    expect(q.size).toBe(3);
    free = 500_000; // the card fills up
    expect(q.add('alerts', 'a3', 't', payload)).toBe('kpis');
    expect(q.add('alerts', 'a4', 't', payload)).toBe('alerts');
    expect(q.size).toBe(3);
    expect(q.after(0, 10).map((m) => m.seq)).toEqual([3, 4, 5]);
    free = 5_000_000; // room again
    expect(q.add('alerts', 'a5', 't', payload)).toBeUndefined();
    expect(q.size).toBe(4);
    q.close();
  });
});
