/** npm run evaluate's options: parsed and checked here, apart from main.ts, so a test can try them. */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { outputFiles, parseHistoryOptions } from '../history/options.js';

export const USAGE = `Usage: npm run evaluate -- [options]

Measures the rules against a synthetic history with labelled incidents (docs/ground-truth.md):
replays it through the rules offline and prints, per incident kind, the incidents, how many were
detected in time, the median and worst delay, and the false alerts per resident-week.

  --residents N     residents of the generated history (default 30)
  --days D          days of the generated history (default 14)
  --seed S          its random seed (default 1)
  --history FILE    read a history written by npm run simulate-history instead, with its
                    FILE.truth.json and FILE.site.yaml
  --rules FILE      the rules file to measure (default: the one the gateway ships)
  --json            the figures as JSON on stdout (no bar): detected, incidents,
                    falsePerResidentWeek, worstDelayS, and per kind`;

export type EvaluateOptions = ReturnType<typeof parseEvaluateOptions>;

/** The command line; `help` asks for USAGE. Throws a message naming the bad option. */
export function parseEvaluateOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      residents: { type: 'string', default: '30' },
      days: { type: 'string', default: '14' },
      seed: { type: 'string', default: '1' },
      history: { type: 'string' },
      rules: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  // The generator's own checks and defaults (start date, time zone, intervals).
  const generate = parseHistoryOptions([
    ...['--residents', values.residents ?? ''],
    ...['--days', values.days ?? ''],
    ...['--seed', values.seed ?? ''],
  ]);
  const history = values.history === undefined ? undefined : outputFiles(values.history);
  if (history)
    for (const f of Object.values(history))
      if (!existsSync(f)) throw new Error(`--history: no ${f} (simulate-history writes the three files)`);
  if (values.rules !== undefined && !existsSync(values.rules))
    throw new Error(`--rules ${values.rules}: no such file`);
  return { help: values.help === true, json: values.json === true, rules: values.rules, history, generate };
}
