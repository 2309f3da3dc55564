import type { Priority } from '@careedge/edge';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  FallFollowupParams,
  fallFollowup,
  fallFollowupDefaults,
} from '../../../src/rules/kinds/fall-followup.js';
import { judge, runKindOverHistory, smallHistory } from '../../helpers/kind-ground-truth.js';
import { at, event, KindDriver, T0, telemetry } from '../../helpers/rule-kind-driver.js';

const HOUR_MS = 3_600_000;
const FALL = at(600); // 10:00
const drive = (overrides: Partial<FallFollowupParams> = {}) =>
  new KindDriver(fallFollowup, { ...fallFollowupDefaults(), ...overrides }, T0);
type Driver = ReturnType<typeof drive>;
/** The instant rule raises the fall alert at `priority`, then this kind sees the fall event. */
const fall = (d: Driver, priority: Priority | null = 'medium', atMs = FALL) => {
  if (priority) d.openAlert(atMs, priority);
  return d.feed(event(atMs, 'fall'));
};
/** Readings every `everyS` seconds from `fromS` after the fall: still (activity ≤ 2) or moving. */
const after = (d: Driver, fromS: number, toS: number, moving: boolean, everyS = 30) => {
  for (let s = fromS; s < toS; s += everyS)
    d.feed(telemetry(FALL + s * 1000, moving ? { activity: 25, steps: 12 } : { activity: 1.2, steps: 0 }));
};
const types = (d: Driver) => d.log.map((a) => a.action.type);
const staffResolveWithinAnHour = (d: Driver, now: number) => {
  if (d.alert && now - d.alert.raisedAt > HOUR_MS) d.resolve();
};

describe('fall-followup', () => {
  it('takes its defaults from the schema, valid under it', () => {
    expect(fallFollowupDefaults()).toEqual({
      stillS: 120,
      stillActivity: 2,
      stillPriority: 'high',
      movedPriority: 'medium',
      watchS: 1800,
    });
    expect(Value.Check(FallFollowupParams, fallFollowupDefaults())).toBe(true);
  });

  it('raises the fall alert to high at exactly 120 s without motion, between readings', () => {
    const d = drive();
    fall(d);
    expect(d.wakeAt).toBe(FALL + 120_000);
    after(d, 45, 400, false, 60); // 45, 105, 165 s …
    expect(d.log).toMatchObject([
      {
        at: FALL + 120_000,
        action: { type: 'set-priority', priority: 'high', reason: 'no motion for 120 s after the fall' },
      },
    ]);
    expect(d.alert?.priority).toBe('high');
  });

  it('takes a silent band as no motion: the deadline fires without readings', () => {
    const d = drive();
    fall(d);
    d.runTicksBefore(FALL + HOUR_MS);
    expect(d.log).toMatchObject([{ at: FALL + 120_000, action: { type: 'set-priority', priority: 'high' } }]);
  });

  it('never moves a priority the wrong way: a fall alert already high stays as it is', () => {
    const d = drive();
    fall(d, 'high');
    after(d, 30, 300, false);
    expect(d.log).toEqual([]);
    expect(d.alert?.priority).toBe('high');
  });

  it('lowers the alert after motion and a cancel, recorded, and never closes it', () => {
    const d = drive();
    fall(d, 'high');
    after(d, 30, 180, true);
    const [lower] = d.feed(event(FALL + 200_000, 'cancel'));
    expect(lower).toMatchObject({ type: 'set-priority', priority: 'medium' });
    expect((lower as { reason: string }).reason).toContain('motion after the fall and a cancel');
    expect(d.alert).toMatchObject({ priority: 'medium' });
    // The watch is over: lying still afterwards changes nothing.
    after(d, 210, 600, false);
    expect(types(d)).toEqual(['set-priority']);
    expect(types(d)).not.toContain('clear');
  });

  it('does not lower on a cancel without motion, and still escalates', () => {
    const d = drive();
    fall(d);
    after(d, 10, 60, false, 10);
    expect(d.feed(event(FALL + 60_000, 'cancel'))).toEqual([]);
    after(d, 70, 200, false, 10);
    expect(d.log).toMatchObject([{ at: FALL + 120_000, action: { priority: 'high' } }]);
  });

  it('escalates a stillness that follows motion, counted from the last motion', () => {
    const d = drive();
    fall(d);
    after(d, 30, 90, true);
    after(d, 90, 400, false);
    expect(d.log).toMatchObject([{ at: FALL + 210_000, action: { type: 'set-priority', priority: 'high' } }]);
  });

  it('does nothing once staff resolved the fall alert', () => {
    const d = drive();
    fall(d);
    after(d, 30, 90, false);
    d.resolve();
    after(d, 90, 400, false);
    d.runTicksBefore(FALL + HOUR_MS);
    expect(d.log).toEqual([]);
  });

  it('raises a fall itself when no fall alert was ever open and no motion follows; not when it does', () => {
    const d = drive();
    fall(d, null);
    after(d, 30, 300, false);
    expect(d.log).toMatchObject([
      { at: FALL + 120_000, opened: true, action: { type: 'raise', alertKind: 'fall', priority: 'high' } },
    ]);
    const m = drive();
    fall(m, null);
    after(m, 30, 300, true);
    m.runTicksBefore(FALL + HOUR_MS);
    expect(m.log).toEqual([]);
  });

  it('ends the watch after watchS: a stillness long after the fall is not its follow-up', () => {
    const d = drive();
    fall(d);
    after(d, 30, 1800, true, 60);
    after(d, 1830, 2400, false, 60);
    expect(d.log).toEqual([]);
  });

  it('does not restart on a repeated fall event; a new fall starts a new watch', () => {
    const d = drive();
    const first = event(FALL, 'fall');
    d.openAlert(FALL, 'medium');
    d.feed(first);
    after(d, 30, 90, false);
    d.feed({ ...first, at: FALL + 85_000 }); // redelivered
    after(d, 90, 200, false);
    expect(d.log.map((a) => a.at)).toEqual([FALL + 120_000]);
    // Lowered after motion and a cancel, then a second fall.
    after(d, 200, 300, true);
    d.feed(event(FALL + 300_000, 'cancel'));
    d.feed(event(FALL + 400_000, 'fall'));
    after(d, 400, 700, false);
    expect(d.log.map((a) => [a.at, a.action.type])).toEqual([
      [FALL + 120_000, 'set-priority'],
      [FALL + 300_000, 'set-priority'],
      [FALL + 520_000, 'set-priority'],
    ]);
  });

  it('is not fooled by the gateway clock: back an hour delays, never skips; a leap forward escalates', () => {
    const d = drive();
    fall(d);
    after(d, 30, 90, false);
    const back = FALL + 90_000 - HOUR_MS;
    d.feed(telemetry(back, { activity: 1, steps: 0, seq: 90_000, ts: FALL + 90_000 }));
    expect(d.wakeAt).toBe(back + 120_000);
    d.runTicksBefore(back + 120_000);
    expect(d.log).toMatchObject([{ at: back + 120_000, action: { priority: 'high' } }]);

    const e = drive();
    fall(e);
    const [up] = e.step(telemetry(FALL + 3 * HOUR_MS, { activity: 0 }));
    expect(up).toMatchObject({ type: 'set-priority', priority: 'high' });
  });

  it('takes a late tick at once and ignores an early one', () => {
    const d = drive();
    fall(d);
    expect(d.step({ type: 'tick', at: FALL + 60_000 })).toEqual([]);
    expect(d.wakeAt).toBe(FALL + 120_000);
    expect(d.step({ type: 'tick', at: FALL + 600_000 })).toMatchObject([
      { type: 'set-priority', reason: 'no motion for 600 s after the fall' },
    ]);
  });

  it('ignores a late reading from before the fall; counts on through a device reboot', () => {
    const d = drive();
    d.feed(telemetry(FALL - 5_000, { activity: 1 }));
    fall(d);
    after(d, 30, 60, false);
    // A moving reading from before the fall, arriving late: no evidence of motion after it.
    d.feed(telemetry(FALL + 70_000, { activity: 40, steps: 30, seq: 1, ts: FALL - 60_000 }));
    // The band rebooted: seq from 0, clock reset.
    d.feed(telemetry(FALL + 80_000, { activity: 1, seq: 0, ts: 2_000 }));
    d.feed(telemetry(FALL + 110_000, { activity: 1, seq: 1, ts: 32_000 }));
    d.runTicksBefore(FALL + 200_000);
    expect(d.log.map((a) => a.at)).toEqual([FALL + 120_000]);
  });

  it('after a restart mid-window escalates once, on time', () => {
    const d = drive();
    fall(d);
    after(d, 30, 70, false);
    const restarted = d.restarted();
    restarted.feed(event(FALL, 'fall')); // the fall redelivered after the restart
    after(restarted, 70, 300, false);
    expect(restarted.log.map((a) => a.at)).toEqual([FALL + 120_000]);
    const again = restarted.restarted();
    after(again, 300, 600, false);
    expect(again.log).toEqual([]);
  });

  it('ground truth: every fall without motion raises its alert to high within 300 s', () => {
    const history = smallHistory();
    // The site has falls at medium: the instant rule opens the alert as the fall arrives.
    const runs = runKindOverHistory(history, fallFollowup, fallFollowupDefaults(), {
      beforeStep: (d, input) => {
        staffResolveWithinAnHour(d, input.at);
        if (input.type === 'event' && input.message.type === 'fall') d.openAlert(input.at, 'medium');
      },
    });
    const v = judge(
      history.truth,
      'fall-no-motion',
      runs,
      (i) => i.residentId,
      (a) => a.action.type === 'set-priority' && a.action.priority === 'high',
    );
    expect(v.incidents.length).toBeGreaterThanOrEqual(3);
    expect(v.missed).toEqual([]);
    expect(Math.max(...v.delaysS)).toBeLessThanOrEqual(180);
    const escalations = runs.flatMap((r) => r.actions);
    expect(escalations).toHaveLength(v.incidents.length);

    // No instant rule at all: the kind raises the falls itself, and nothing else.
    const alone = runKindOverHistory(history, fallFollowup, fallFollowupDefaults(), {
      beforeStep: (d, input) => staffResolveWithinAnHour(d, input.at),
    });
    const w = judge(
      history.truth,
      'fall-no-motion',
      alone,
      (i) => i.residentId,
      (a) => a.opened,
    );
    expect(w.missed).toEqual([]);
    expect(w.falseAlerts).toEqual([]);
  });
});
