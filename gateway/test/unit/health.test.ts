import { describe, expect, it } from 'vitest';
import { Health, type HealthChange } from '../../src/core/health.js';
import { duration } from '../../src/health/clock-watch.js';
import { fakeClock } from '../helpers/fake-clock.js';

describe('Health', () => {
  it('tells listeners once when a problem starts and once when it clears, keeping its start time', async () => {
    const time = fakeClock();
    const health = new Health(time.clock);
    const changes: HealthChange[] = [];
    health.onChange((c) => changes.push(c));
    health.set('storage', 'database or disk is full');
    const since = time.fake.now;
    await time.tick(5000);
    health.set('storage', 'attempt to write a readonly database'); // re-worded, not restarted
    expect(health.list()).toEqual([
      { problem: 'storage', reason: 'attempt to write a readonly database', since },
    ]);
    expect(health.degraded).toBe(true);
    health.clear('storage');
    health.clear('storage');
    expect(changes.map((c) => c.kind)).toEqual(['started', 'cleared']);
    expect(health.degraded).toBe(false);
  });

  it('keeps telling the other listeners when one throws', () => {
    const health = new Health(fakeClock().clock);
    const heard: string[] = [];
    health.onChange(() => {
      throw new Error('broken reporter');
    });
    health.onChange((c) => heard.push(c.problem.problem));
    health.set('clock', 'behind');
    expect(heard).toEqual(['clock']);
  });
});

describe('duration', () => {
  it.each([
    [62 * 60_000 + 10_000, '1 h 02 min'],
    [5 * 60_000, '5 min'],
    [27 * 3600_000, '1 d 3 h'],
  ])('%i ms reads "%s"', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});
