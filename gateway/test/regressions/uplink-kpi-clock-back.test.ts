import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/forwarding.js';
import { headOffice, mosquittoForTest, ROSE, sosCycle, uplinkGateway } from '../helpers/uplink.js';

/**
 * KPI periods follow the wall clock, their timers the monotonic one. NTP stepping the clock back
 * (here 10 min; an hour alike) (a Pi without a real-time clock that booted at its last saved time, then synchronised)
 * left the next period's end that far ahead of the clock: no summary for that long, then one that
 * said "one minute" and counted it all. And a summary of a period that starts at a minute
 * already reported carried that period's id, so the head office, de-duplicating on id, dropped it.
 */
describe('found by probing: KPI summaries after the wall clock stepped back', { timeout: 60_000 }, () => {
  it('keep coming every minute, and the alerts of a repeated minute are not dropped as a resend', async () => {
    const m = await mosquittoForTest();
    const office = await headOffice(m.url);
    const g = await uplinkGateway(m.url, {}, { start: Date.UTC(2026, 10, 23, 10, 0, 0) });
    for (let i = 0; i < 12; i++) await g.tick(60_000);
    await g.tick(1_000);
    const kpis = () => office.received.filter((r) => r.topic.endsWith('/kpis'));
    await eventually(async () => {
      await g.tick(100);
      expect(kpis().length).toBeGreaterThanOrEqual(12);
    });
    const before = kpis().length;
    g.fake.setSystemTime(g.fake.now - 600_000); // 10:12:01 → 10:02:01
    await g.tick(70_000);
    sosCycle(g, ROSE); // at 10:03:11, in a minute summarised before the step
    for (let i = 0; i < 3; i++) await g.tick(60_000);

    await eventually(async () => {
      await g.tick(100);
      // 10:03 (the period under way at the step), then 10:03, 10:04, 10:05, 10:06 of the clock now
      expect(kpis().length - before).toBeGreaterThanOrEqual(4);
      const first = new Map<string, Record<string, unknown>>();
      for (const k of kpis()) if (!first.has(k.body.id)) first.set(k.body.id, k.body);
      const raised = [...first.values()].reduce((n, k) => n + (k.raised as { high: number }).high, 0);
      expect(raised).toBe(1);
    });
  });
});
