import { describe, expect, it } from 'vitest';
// @ts-expect-error the console's own module is plain JavaScript for the browser, with no types
import { ordered, story } from '../../console/format.js';

const alert = (id: number, over: Record<string, unknown>) => ({
  id,
  priority: 'medium',
  raisedAt: 1_000 * id,
  ownerId: 'alice',
  deadlineAt: null,
  state: 'acknowledged',
  count: 1,
  level: 0,
  handoverTo: null,
  ...over,
});

describe("the console's order of open alerts", () => {
  const now = 100_000;
  const alerts = [
    alert(1, { priority: 'low' }),
    alert(2, { priority: 'high' }),
    alert(3, { priority: 'high', ownerId: null, state: 'dispatched' }),
    alert(4, { priority: 'medium', deadlineAt: now - 1 }),
    alert(5, { priority: 'low', ownerId: null, state: 'dispatched' }),
  ];
  const ids = (list: { id: number }[]) => list.map((a) => a.id);

  it('puts a carer’s list by priority, then the oldest first', () => {
    expect(ids(ordered(alerts, { supervisor: false, now }))).toEqual([2, 3, 4, 1, 5]);
  });

  it('puts the unowned first for a supervisor, then the overdue, then by priority and age', () => {
    expect(ids(ordered(alerts, { supervisor: true, now }))).toEqual([3, 5, 4, 2, 1]);
  });

  it('says what happened so far in words', () => {
    const nameOf = (id: string) => ({ alice: 'Alice Moss' })[id] ?? id;
    expect(story(alert(6, { state: 'attended' }), nameOf)).toBe('Alice Moss is with the resident');
    expect(story(alert(7, { state: 'dispatched', ownerId: null, level: 1, count: 3 }), nameOf)).toBe(
      'Sent (escalated 1×), waiting for someone to accept · raised 3 times',
    );
  });
});
