import type { ReplayAlert } from '@careedge/gateway';
import { describe, expect, it } from 'vitest';
import { evaluate, GAP_SLACK_MS } from '../../src/evaluate/match.js';
import type { GroundTruth } from '../../src/history/generate.js';
import type { Incident } from '../../src/history/types.js';

const DAY = 86_400_000;
const S = 1000;
const T0 = Date.UTC(2026, 10, 2);

const incident = (id: string, over: Partial<Incident>): Incident => ({
  id,
  kind: 'tachycardia',
  residentId: 'r-01',
  deviceId: 'wb-01',
  startTs: T0 + DAY,
  endTs: T0 + DAY + 900 * S,
  deadlineS: 300,
  marks: {},
  ...over,
});

const alert = (at: number, over: Partial<ReplayAlert> = {}): ReplayAlert => ({
  at,
  ruleId: 'heart-rate',
  ruleKind: 'vital-threshold',
  alertKind: 'vital-sign',
  subject: { kind: 'resident', id: 'r-01' },
  priority: 'medium',
  reason: 'heart rate above 120 for 60 s',
  repeats: 0,
  priorityChanges: [],
  clearedAt: null,
  ...over,
});

/** Two residents over a week: two resident-weeks. */
const truth = (incidents: Incident[], gaps: GroundTruth['gaps'] = []) => ({
  startTs: T0,
  endTs: T0 + 7 * DAY,
  residents: [{}, {}] as GroundTruth['residents'],
  incidents,
  gaps,
});

const verdicts = (e: ReturnType<typeof evaluate>) => e.alerts.map((a) => a.verdict);

describe('evaluate: alerts matched to the ground truth', () => {
  it('an alert of a detecting kind about the resident, between startTs and the deadline, detects; the earliest counts', () => {
    const tachy = incident('inc-1', {});
    const e = evaluate(truth([tachy]), [
      alert(tachy.startTs - S), // before it began: false
      alert(tachy.startTs + 90 * S, { subject: { kind: 'resident', id: 'r-02' } }), // someone else
      alert(tachy.startTs + 200 * S),
      alert(tachy.startTs + 70 * S),
      alert(tachy.startTs + 600 * S), // after the deadline, still during the episode: about it
      alert(tachy.endTs + 301 * S), // after it: false
    ]);
    expect(verdicts(e)).toEqual([
      { verdict: 'false' },
      { verdict: 'false' },
      { verdict: 'incident', incidentId: 'inc-1' },
      { verdict: 'detection', incidentId: 'inc-1', delayS: 70 },
      { verdict: 'incident', incidentId: 'inc-1' },
      { verdict: 'false' },
    ]);
    expect(e).toMatchObject({ incidents: 1, detected: 1, worstDelayS: 70, falseAlerts: 3, residentWeeks: 2 });
    expect(e.falsePerResidentWeek).toBe(1.5);
    expect(e.falseByRule).toEqual({ 'heart-rate': 3 });
    expect(e.perKind.find((k) => k.kind === 'tachycardia')).toMatchObject({
      incidents: 1,
      detected: 1,
      medianDelayS: 70,
      worstDelayS: 70,
      falsePerResidentWeek: 1.5,
      missed: [],
    });
  });

  it('an alert too late, or of a kind that does not detect it, misses the incident', () => {
    const off = incident('inc-2', { kind: 'band-off', deadlineS: 5400, endTs: T0 + DAY + 4 * 3_600_000 });
    const e = evaluate(truth([off]), [
      alert(off.startTs + 5401 * S, { alertKind: 'not-worn', ruleId: 'band' }),
      alert(off.startTs + 60 * S, { alertKind: 'inactivity', ruleId: 'quiet' }),
    ]);
    expect(verdicts(e)).toEqual([{ verdict: 'incident', incidentId: 'inc-2' }, { verdict: 'false' }]);
    expect(e.perKind.find((k) => k.kind === 'band-off')).toMatchObject({ detected: 0, missed: ['inc-2'] });
    expect(e.worstDelayS).toBeNull();
    expect(e.perKind.find((k) => k.kind === 'daytime-inactivity')!.falsePerResidentWeek).toBe(0.5);
  });

  it("a fall is detected when a rule raises its alert's priority (no motion), not by a lower fall alert itself", () => {
    const a = incident('fall-a', { kind: 'fall-no-motion', residentId: 'r-01' });
    const b = incident('fall-b', { kind: 'fall-no-motion', residentId: 'r-02', deviceId: 'wb-02' });
    const c = incident('fall-c', { kind: 'fall-no-motion', residentId: 'r-01', startTs: T0 + 3 * DAY });
    const d = incident('fall-d', {
      kind: 'fall-no-motion',
      residentId: 'r-02',
      deviceId: 'wb-02',
      startTs: T0 + 4 * DAY,
    });
    const fall = { alertKind: 'fall', ruleId: 'fall', ruleKind: 'instant', priority: 'medium' } as const;
    const r2 = { kind: 'resident', id: 'r-02' } as const;
    const e = evaluate(truth([a, b, c, d]), [
      alert(a.startTs, {
        ...fall,
        priorityChanges: [{ at: a.startTs + 240 * S, priority: 'high', reason: 'still' }],
      }),
      // Lowered (motion, then a cancel): not the escalation no motion calls for.
      alert(b.startTs, {
        ...fall,
        subject: r2,
        priorityChanges: [{ at: b.startTs + 60 * S, priority: 'low', reason: 'cancel' }],
      }),
      alert(c.startTs, fall),
      alert(c.startTs + 180 * S, {
        ...fall,
        ruleId: 'fall-still',
        ruleKind: 'fall-followup',
        priority: 'high',
      }),
      alert(d.startTs, { ...fall, subject: r2, priority: 'high' }), // as urgent as it gets, at once
    ]);
    expect(verdicts(e)).toEqual([
      { verdict: 'detection', incidentId: 'fall-a', delayS: 240 },
      { verdict: 'incident', incidentId: 'fall-b' },
      { verdict: 'incident', incidentId: 'fall-c' },
      { verdict: 'detection', incidentId: 'fall-c', delayS: 180 },
      { verdict: 'detection', incidentId: 'fall-d', delayS: 0 },
    ]);
    expect(e.perKind.find((k) => k.kind === 'fall-no-motion')).toMatchObject({
      incidents: 4,
      detected: 3,
      medianDelayS: 180,
      worstDelayS: 240,
      missed: ['fall-b'],
    });
  });

  it('a dead battery is detected by the device too; device offline in a gap is expected, after it false', () => {
    const dead = incident('inc-3', {
      kind: 'dead-battery',
      deadlineS: 22_200,
      startTs: T0 + 2 * DAY,
      endTs: T0 + 2 * DAY + 30_000 * S,
    });
    const gap = {
      residentId: 'r-02',
      deviceId: 'wb-02',
      fromTs: T0 + 4 * DAY,
      toTs: T0 + 4 * DAY + 3_600_000,
    };
    const offline = { alertKind: 'device-offline', ruleId: 'offline', ruleKind: 'heartbeat-missed' } as const;
    const e = evaluate(truth([dead], [gap]), [
      alert(dead.startTs + 20_000 * S, { ...offline, subject: { kind: 'device', id: 'wb-01' } }),
      alert(gap.fromTs + 190 * S, { ...offline, subject: { kind: 'device', id: 'wb-02' } }),
      alert(gap.toTs + GAP_SLACK_MS + S, { ...offline, subject: { kind: 'device', id: 'wb-02' } }),
      alert(gap.fromTs + 190 * S, { ...offline, subject: { kind: 'device', id: 'wb-01' } }),
    ]);
    expect(verdicts(e)).toEqual([
      { verdict: 'detection', incidentId: 'inc-3', delayS: 20_000 },
      { verdict: 'gap' },
      { verdict: 'false' },
      { verdict: 'false' },
    ]);
    expect(e.falseByRule).toEqual({ offline: 2 });
    expect(e.perKind.find((k) => k.kind === 'dead-battery')!.falsePerResidentWeek).toBe(1);
  });
});
