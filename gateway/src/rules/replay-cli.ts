import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { loadSiteFile } from '../register/site-file.js';
import type { OfflineRules, OpenOfflineRules } from './offline.js';
import { readRecording, replayFile } from './replay.js';
import {
  countPerRule,
  diffAlerts,
  formatCounts,
  formatDifferences,
  formatTimeline,
  localTimeFormatter,
} from './replay-report.js';

export const REPLAY_USAGE = `Usage: careedge-gateway replay FILE [--rules A.yaml [--rules B.yaml]] [--site SITE.yaml] [--json]
       (from the repository: npm run replay -- FILE …)

Runs a recording (rules.record) or a simulated history (npm run simulate-history) through the
rules offline, at full speed, and prints the alerts in time order and the count per rule. With
two rules files, the alerts that differ, side by side: judge a rule change on last month's data
before it goes live.

  --rules FILE   a rules file (default: the one the gateway ships); give two to compare them
  --site FILE    the site file the recording's devices belong to (default: FILE.site.yaml
                 beside FILE, as simulate-history writes it)
  --json         the result as JSON on stdout (no bar)`;

export interface ReplayCliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where the progress bar draws (it stays silent when this is not a terminal). */
  progressStream: NodeJS.WritableStream;
}

/** `careedge-gateway replay …`; returns the exit code (2: bad command line or input). */
export async function runReplayCli(args: string[], open: OpenOfflineRules, io: ReplayCliIo): Promise<number> {
  let options: ReturnType<typeof parseReplayArgs>;
  try {
    options = parseReplayArgs(args);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${REPLAY_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.out(REPLAY_USAGE);
    return 0;
  }
  const { file, rules, json } = options;
  let startTs: number | undefined;
  let site: ReturnType<typeof loadSiteFile>;
  try {
    site = loadSiteFile(options.site);
    startTs = await firstTimestamp(file);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  if (startTs === undefined) {
    io.err(`${file}: no message in it`);
    return 2;
  }
  const ruleSets: OfflineRules[] = [];
  try {
    for (const rulesFile of rules.length ? rules : [undefined])
      ruleSets.push(await open({ site, rulesFile, startTs }));
  } catch (err) {
    for (const r of ruleSets) r.close();
    io.err((err as Error).message);
    return 2;
  }

  const bar = json
    ? undefined
    : new SingleBar(
        {
          format: 'replaying |{bar}| {percentage}% | {messages} messages | {day}',
          stream: io.progressStream,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
  const time = localTimeFormatter(site.site.timezone);
  bar?.start(1, 0, { messages: 0, day: '' });
  const started = performance.now();
  const run = await replayFile(file, ruleSets, (p) =>
    bar?.update(p.totalBytes ? p.bytesRead / p.totalBytes : 1, {
      messages: p.messages,
      day: time(p.ts).slice(0, 10),
    }),
  );
  bar?.stop();
  const seconds = (performance.now() - started) / 1000;
  const perMinute = Math.round(run.messages / Math.max(seconds / 60, 1e-9));
  const sets = ruleSets.map((r, i) => ({ rules: rules[i] ?? 'default', alerts: r.alerts() }));
  for (const r of ruleSets) r.close();
  const differences = sets.length === 2 ? diffAlerts(sets[0]!.alerts, sets[1]!.alerts) : undefined;

  if (json) {
    io.out(
      JSON.stringify(
        {
          file,
          ...run,
          seconds,
          perMinute,
          ruleSets: sets.map((s) => ({ ...s, counts: countPerRule(s.alerts) })),
          ...(differences ? { differences } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const n = (x: number) => x.toLocaleString('en-GB');
  const lines = [
    `Replayed ${n(run.messages)} messages of ${file} (${time(run.firstTs!)} to ${time(run.lastTs!)}, ${site.site.timezone}) in ${seconds.toFixed(1)} s: ${n(perMinute)} per minute.`,
  ];
  if (run.skipped.count)
    lines.push(
      `Skipped ${n(run.skipped.count)} lines that are not messages:`,
      ...run.skipped.first.map((p) => `  ${p}`),
    );
  if (run.outOfOrder)
    lines.push(
      `${n(run.outOfOrder)} messages were older than the one before them: handled at that one's time.`,
    );
  if (sets.length === 1) {
    lines.push('', `Alerts (rules: ${sets[0]!.rules}):`, ...formatTimeline(sets[0]!.alerts, time));
  }
  for (const [i, s] of sets.entries())
    lines.push(
      '',
      `Alerts per rule${sets.length > 1 ? ` (${'AB'[i]}: ${s.rules})` : ''}:`,
      ...formatCounts(s.alerts),
    );
  if (differences)
    lines.push(
      '',
      `Alerts that differ (A: ${sets[0]!.rules}, B: ${sets[1]!.rules}): ${differences.length}`,
      ...formatDifferences(differences, time),
    );
  io.out(lines.join('\n'));
  return 0;
}

function parseReplayArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rules: { type: 'string', multiple: true, default: [] },
      site: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const help = values.help === true;
  const file = positionals[0] ?? '';
  if (!help && positionals.length !== 1)
    throw new Error(
      positionals.length ? `one recording at a time (got ${positionals.length})` : 'which recording?',
    );
  const rules = values.rules ?? [];
  if (rules.length > 2) throw new Error(`--rules: one rules file, or two to compare (got ${rules.length})`);
  for (const r of rules) if (!existsSync(r)) throw new Error(`--rules ${r}: no such file`);
  if (!help && !existsSync(file)) throw new Error(`${file}: no such file`);
  const sibling = `${file.replace(/\.jsonl$/, '')}.site.yaml`;
  const site = values.site ?? (existsSync(sibling) ? sibling : undefined);
  if (!help && site === undefined)
    throw new Error(`--site: which site file do the recording's devices belong to? (no ${sibling})`);
  return { help, file, rules, site: site ?? '', json: values.json === true };
}

/** The gateway time of the first message: where the offline clocks start. */
async function firstTimestamp(file: string): Promise<number | undefined> {
  for await (const m of readRecording(file)) if (typeof m !== 'string') return m.ts;
  return undefined;
}
