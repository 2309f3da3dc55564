import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { StormWatch } from '../../src/dispatch/storm-watch.js';
import { fakeClock } from '../helpers/fake-clock.js';

function watch(alerts = 10, windowS = 10) {
  const time = fakeClock();
  const counts = { storms: 0, held: 0, ends: 0 };
  const w = new StormWatch(loadConfig({ overrides: { rules: { storm: { alerts, windowS } } } }), time.clock, {
    storms: { inc: () => counts.storms++ },
    heldBack: { inc: () => counts.held++ },
  });
  w.onEnd = () => counts.ends++;
  const raise = (priority: 'high' | 'medium' | 'low' = 'medium') =>
    w.holdBack({ kind: 'vital-sign', priority }, time.clock.now());
  return { w, time, counts, raise };
}

describe('the storm watch', () => {
  it('defaults to 50 alerts within 10 s', () => {
    expect(loadConfig({ overrides: {} }).rules.storm).toEqual({ alerts: 50, windowS: 10 });
  });

  it('the raise that reaches the limit begins the storm; high ones are never held; a summary is not counted', () => {
    const { raise, counts, w } = watch();
    const first = Array.from({ length: 9 }, () => raise());
    expect(first.every((r) => r === null)).toBe(true);
    expect(w.holdBack({ kind: 'alert-summary', priority: 'medium' }, 0)).toBeNull();
    expect(w.active).toBe(false);
    expect(raise('low')).toBe('storm');
    expect(raise('high')).toBeNull();
    expect(raise('medium')).toBe('storm');
    expect(counts).toEqual({ storms: 1, held: 2, ends: 0 });
    w.stop();
  });

  it('ends once fewer than half the limit are in the window, and not while a slower stream goes on', async () => {
    const { raise, counts, time, w } = watch();
    for (let i = 0; i < 10; i++) raise();
    // Five a window keep it on (half the limit): no release between waves.
    for (let wave = 0; wave < 3; wave++) {
      await time.tick(5_000);
      for (let i = 0; i < 5; i++) expect(raise()).toBe('storm');
    }
    expect(counts.ends).toBe(0);
    await time.tick(9_999);
    expect(counts.ends).toBe(0);
    await time.tick(1);
    expect(counts.ends).toBe(1);
    expect(w.active).toBe(false);
    expect(raise()).toBeNull();
    expect(counts.storms).toBe(1);
  });

  it('a clock stepped back ends the storm at its next check rather than prolonging it', async () => {
    const { raise, counts, time, w } = watch();
    for (let i = 0; i < 12; i++) raise();
    time.fake.setSystemTime(time.clock.now() - 3_600_000);
    for (let i = 0; i < 3; i++) raise();
    await time.tick(10_001);
    expect(counts.ends).toBe(1);
    expect(w.active).toBe(false);
  });

  it('after a restart: the window from the raise times, and held alerts keep the storm on until it is over', async () => {
    const { counts, time, w } = watch();
    const now = time.clock.now();
    w.restore([now - 20_000, now - 1_000, now - 2_000, now - 3_000, now - 4_000, now - 5_000], true);
    expect(w.active).toBe(true);
    await time.tick(5_000); // the raise 5 s ago leaves: four remain, below half of ten
    expect(counts.ends).toBe(1);
    w.restore([], false);
    expect(w.active).toBe(false);
  });
});
