import { describe, expect, it } from 'vitest';
import { parseEvaluateOptions } from '../../src/evaluate/options.js';
import { runEvaluation } from '../../src/evaluate/run.js';
import { INCIDENT_DEADLINES_S } from '../../src/history/incidents.js';
import { INCIDENT_KINDS } from '../../src/history/types.js';

/**
 * Issue 8's acceptance: a simulated history of 30 residents over 14 days (1.2 million messages)
 * replayed through the gateway's rules with the example rules file, the default. Every injected
 * incident is detected within its deadline, and there is at most one false alert per
 * resident-week. The slowest test of the suite (about 30 s alone on a busy 2-core machine).
 */
describe('the example rules against the ground truth', () => {
  it('detect every incident of 30 residents × 14 days in time, with at most 1 false alert per resident-week', async () => {
    const run = await runEvaluation({
      generate: parseEvaluateOptions(['--residents', '30', '--days', '14', '--seed', '1']).generate,
      history: undefined,
      rulesFile: undefined,
    });
    const e = run.evaluation;
    expect(e.residentWeeks).toBeCloseTo(60, 5);
    // Every kind of incident is in the history, and each one is found.
    expect(e.perKind.map((k) => k.kind).sort()).toEqual([...INCIDENT_KINDS].sort());
    for (const k of e.perKind) {
      expect(k.incidents, k.kind).toBeGreaterThan(0);
      expect(k.missed, k.kind).toEqual([]);
      expect(k.detected, k.kind).toBe(k.incidents);
      expect(k.worstDelayS!, k.kind).toBeLessThanOrEqual(INCIDENT_DEADLINES_S[k.kind]);
    }
    expect(e.detected).toBe(e.incidents);
    expect(e.falsePerResidentWeek).toBeLessThanOrEqual(1);
    expect(run.skipped.count).toBe(0);
  }, 600_000);
});
