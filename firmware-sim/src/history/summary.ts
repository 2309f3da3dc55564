import type { GroundTruth } from './generate.js';
import type { WriteTally } from './jsonl.js';
import { INCIDENT_KINDS } from './types.js';

/** The CLI's closing summary: what was written, messages per channel, incidents per kind, speed. */
export function summarise(
  truth: GroundTruth,
  tally: WriteTally,
  seconds: number,
  files: { messages: string; truth: string; site: string },
): string {
  const residents = truth.residents.length;
  const days = Math.round((truth.endTs - truth.startTs) / 86_400_000);
  const pad = (s: string) => s.padEnd(22);
  const count = (n: number) => n.toLocaleString('en-GB').padStart(10);
  const lines = [
    `${residents} residents × ${days} days from ${truth.startDate} (${truth.timezone}), seed ${truth.seed}`,
    `  messages     ${files.messages}`,
    `  ground truth ${files.truth}`,
    `  site         ${files.site}`,
    '',
    'Messages per channel',
    ...Object.entries(tally.perChannel)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([channel, n]) => `  ${pad(channel)}${count(n)}`),
    `  ${pad('total')}${count(tally.messages)}`,
    '',
    'Incidents per kind (deadline)',
    ...INCIDENT_KINDS.map(
      (kind) =>
        `  ${pad(kind)}${count(truth.incidents.filter((i) => i.kind === kind).length)}   ${truth.deadlinesS[kind]} s`,
    ),
    `  ${pad('total')}${count(truth.incidents.length)}`,
    `  hours without messages (not incidents): ${truth.gaps.length}`,
    `  flagged for night wandering: ${truth.nightWanderingRisk.join(', ') || 'none'}`,
    '',
    `Generated ${tally.messages.toLocaleString('en-GB')} messages in ${seconds.toFixed(1)} s (${Math.round(tally.messages / seconds).toLocaleString('en-GB')} messages/s)`,
  ];
  return lines.join('\n');
}
