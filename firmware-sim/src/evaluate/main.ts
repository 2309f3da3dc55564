/**
 * npm run evaluate: the rules measured against a synthetic history with labelled incidents
 * (docs/ground-truth.md, docs/design/anomaly-rules.md "Evaluation").
 */
import { Progress } from '../bench/progress.js';
import { parseEvaluateOptions, USAGE } from './options.js';
import { evaluationJson, formatEvaluation } from './report.js';
import { runEvaluation } from './run.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseEvaluateOptions>;
  try {
    options = parseEvaluateOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { json } = options;
  let progress: Progress | undefined;
  const result = await runEvaluation({
    generate: options.generate,
    history: options.history,
    rulesFile: options.rules,
    onProgress: ({ hour, hours, messages }) => {
      if (json) return;
      progress ??= new Progress('replay', hours);
      progress.update(hour, { sent: messages });
    },
  });
  progress?.stop();
  const { evaluation, messages, replaySeconds, skipped } = result;
  const label = options.rules ?? 'default';
  const perMinute = Math.round(messages / Math.max(replaySeconds / 60, 1e-9));
  if (json) {
    const replay = { messages, skipped, seconds: replaySeconds, perMinute };
    console.log(JSON.stringify({ ...evaluationJson(evaluation, label), replay }, null, 2));
    return 0;
  }
  const n = (x: number) => x.toLocaleString('en-GB');
  console.log(
    `Replayed ${n(messages)} messages in ${replaySeconds.toFixed(1)} s (${n(perMinute)} a minute).\n`,
  );
  if (skipped.count) console.log(`Skipped ${skipped.count} lines: ${skipped.first.join('; ')}\n`);
  console.log(formatEvaluation(evaluation, label));
  return 0;
}

process.exitCode = await main();
