import { describe, expect, it } from 'vitest';
import type { ReplayAlert } from '../../src/rules/offline.js';
import { diffAlerts, PAIR_WINDOW_MS } from '../../src/rules/replay-report.js';

const alert = (at: number, over: Partial<ReplayAlert> = {}): ReplayAlert => ({
  at,
  ruleId: 'hr',
  ruleKind: 'vital-threshold',
  alertKind: 'vital-sign',
  subject: { kind: 'resident', id: 'r1' },
  priority: 'medium',
  reason: 'heart rate',
  repeats: 0,
  priorityChanges: [],
  clearedAt: null,
  ...over,
});

describe('the alerts two rules files raise differently', () => {
  it('pairs the same alert (kind and subject) moved within the window; the rest is A only or B only', () => {
    const a = [
      alert(0),
      alert(1000, { subject: { kind: 'resident', id: 'r2' } }),
      alert(5000, { alertKind: 'not-worn' }),
    ];
    const b = [
      alert(60_000, { ruleId: 'renamed' }), // r1 a minute later: the same alert, changed
      alert(1000, { subject: { kind: 'resident', id: 'r2' } }), // identical: not a difference
      alert(5000 + PAIR_WINDOW_MS + 1, { alertKind: 'not-worn' }), // too far apart: two alerts
    ];
    expect(diffAlerts(a, b).map((d) => [d.change, d.change === 'only-b' ? d.b.at : d.a.at])).toEqual([
      ['changed', 0],
      ['only-a', 5000],
      ['only-b', 5000 + PAIR_WINDOW_MS + 1],
    ]);
  });

  it('a priority change is a difference; each alert of B pairs once, with the nearest', () => {
    const a = [alert(0), alert(100_000)];
    const b = [alert(90_000, { priority: 'high' })];
    expect(diffAlerts(a, b)).toEqual([
      { change: 'only-a', a: a[0] },
      { change: 'changed', a: a[1], b: b[0] },
    ]);
  });
});
