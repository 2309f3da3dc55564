import { readFileSync } from 'node:fs';
import { loadSiteFile, openOfflineRules, parseSiteFile, replayFile, replayMessages } from '@careedge/gateway';
import { type GroundTruth, generateHistory, type HistoryOptions } from '../history/generate.js';
import type { outputFiles } from '../history/options.js';
import { type Evaluation, evaluate } from './match.js';

export interface EvaluationRun {
  evaluation: Evaluation;
  truth: GroundTruth;
  messages: number;
  skipped: { count: number; first: string[] };
  replaySeconds: number;
}

/**
 * Generates the history (or reads one written by simulate-history), replays it through the rules
 * offline, in one streamed pass, and matches their alerts to its ground truth.
 */
export async function runEvaluation(options: {
  generate: HistoryOptions;
  history: ReturnType<typeof outputFiles> | undefined;
  rulesFile: string | undefined;
  /** Hours of the history replayed so far, of `hours`, and messages. */
  onProgress?: (p: { hour: number; hours: number; messages: number }) => void;
}): Promise<EvaluationRun> {
  const { history, rulesFile } = options;
  const generated = history ? undefined : generateHistory(options.generate);
  const truth: GroundTruth = generated?.truth ?? JSON.parse(readFileSync(history!.truth, 'utf8'));
  const site = generated ? parseSiteFile(generated.site.yaml, 'generated site') : loadSiteFile(history!.site);
  const hours = Math.ceil((truth.endTs - truth.startTs) / 3_600_000);
  const onProgress = (messages: number, ts: number) =>
    options.onProgress?.({ hour: Math.floor((ts - truth.startTs) / 3_600_000), hours, messages });
  const rules = await openOfflineRules({ site, rulesFile, startTs: truth.startTs });
  try {
    const started = performance.now();
    const run = generated
      ? await replayMessages(generated.messages(), [rules], (r) =>
          onProgress(r.messages, r.lastTs ?? truth.startTs),
        )
      : await replayFile(history!.messages, [rules], (p) => onProgress(p.messages, p.ts));
    return {
      evaluation: evaluate(truth, rules.alerts()),
      truth,
      messages: run.messages,
      skipped: run.skipped,
      replaySeconds: (performance.now() - started) / 1000,
    };
  } finally {
    rules.close();
  }
}
