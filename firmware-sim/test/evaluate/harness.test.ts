import { createWriteStream, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { parseEvaluateOptions } from '../../src/evaluate/options.js';
import { evaluationJson } from '../../src/evaluate/report.js';
import { runEvaluation } from '../../src/evaluate/run.js';
import { generateHistory } from '../../src/history/generate.js';
import { writeJsonLines } from '../../src/history/jsonl.js';
import { outputFiles, parseHistoryOptions } from '../../src/history/options.js';

const SMALL = ['--residents', '6', '--days', '10', '--seed', '3'];

describe('npm run evaluate', () => {
  it('replays a generated history through the rules offline and matches their alerts to its truth', async () => {
    const { generate } = parseEvaluateOptions(SMALL);
    const progress: number[] = [];
    const run = await runEvaluation({
      generate,
      history: undefined,
      rulesFile: undefined,
      onProgress: (p) => progress.push(p.hour),
    });
    const e = run.evaluation;
    expect(run.messages).toBeGreaterThan(6 * 10 * 1440);
    expect(e.incidents).toBe(run.truth.incidents.length);
    expect(e.residentWeeks).toBeCloseTo((6 * 10) / 7, 5);
    // The example rules find every dead battery (low battery, or its silence), and on this small
    // history raise nothing that is not an incident or a gap.
    const dead = e.perKind.find((k) => k.kind === 'dead-battery')!;
    expect(dead.incidents).toBeGreaterThan(0);
    expect(dead).toMatchObject({ detected: dead.incidents, missed: [] });
    expect(dead.worstDelayS).toBeLessThanOrEqual(22_200);
    expect(run.truth.gaps.length).toBeGreaterThan(0);
    expect(e.alerts.filter((a) => a.verdict.verdict === 'gap').length).toBe(run.truth.gaps.length);
    expect(e.falsePerResidentWeek).toBe(0);
    expect(progress.at(-1)).toBe(10 * 24 - 1);

    const json = evaluationJson(e, 'default');
    expect(Object.keys(json).slice(0, 5)).toEqual([
      'rules',
      'detected',
      'incidents',
      'falsePerResidentWeek',
      'worstDelayS',
    ]);
  }, 60_000);

  it('reads a history written by simulate-history (--history) and gets the same figures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'careedge-eval-'));
    try {
      const files = outputFiles(join(dir, 'h.jsonl'));
      const history = generateHistory(parseHistoryOptions(SMALL));
      const out = createWriteStream(files.messages);
      await writeJsonLines(history.messages(), out);
      out.end();
      await finished(out);
      writeFileSync(files.truth, JSON.stringify(history.truth));
      writeFileSync(files.site, history.site.yaml);

      const options = parseEvaluateOptions(['--history', files.messages]);
      const fromFile = await runEvaluation({
        generate: options.generate,
        history: options.history,
        rulesFile: undefined,
      });
      const generated = await runEvaluation({
        generate: parseEvaluateOptions(SMALL).generate,
        history: undefined,
        rulesFile: undefined,
      });
      expect(evaluationJson(fromFile.evaluation, 'x')).toEqual(evaluationJson(generated.evaluation, 'x'));
      expect(fromFile.skipped.count).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000); // two replays of all the example rules on a busy machine

  it('names a missing history file or rules file', () => {
    expect(() => parseEvaluateOptions(['--history', '/nonexistent/h.jsonl'])).toThrow(
      /--history: no \/nonexistent\/h\.jsonl/,
    );
    expect(() => parseEvaluateOptions(['--rules', 'nope.yaml'])).toThrow(/--rules nope\.yaml: no such file/);
    expect(() => parseEvaluateOptions(['--residents', '0'])).toThrow(/--residents/);
  });
});
