/**
 * npm run simulate-history: a synthetic history of residents' wristbands with labelled
 * incidents, as JSON lines plus its ground truth and site file (docs/ground-truth.md).
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { Progress } from '../bench/progress.js';
import { generateHistory } from './generate.js';
import { writeJsonLines } from './jsonl.js';
import { outputFiles, parseHistoryOptions, USAGE } from './options.js';
import { summarise } from './summary.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseHistoryOptions>;
  try {
    options = parseHistoryOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const files = outputFiles(options.out);
  const started = performance.now();
  const history = generateHistory(options);
  const { startTs, endTs } = history.truth;
  const hours = Math.round((endTs - startTs) / 3_600_000);
  const progress = new Progress('history', hours);
  const out = createWriteStream(files.messages);
  const tally = await writeJsonLines(history.messages(), out, (t) =>
    progress.update(Math.floor((t.lastTs - startTs) / 3_600_000), { sent: t.messages }),
  );
  out.end();
  await finished(out);
  progress.update(hours, { sent: tally.messages });
  progress.stop();
  await writeFile(files.truth, `${JSON.stringify(history.truth, null, 2)}\n`);
  await writeFile(files.site, history.site.yaml);
  const seconds = (performance.now() - started) / 1000;
  console.log(summarise(history.truth, tally, seconds, files));
}

await main();
