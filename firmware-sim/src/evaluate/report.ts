import type { Evaluation } from './match.js';

const seconds = (s: number | null) => (s === null ? '—' : `${Math.round(s)} s`);
const rate = (x: number) => x.toFixed(2);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  // Text left, figures right.
  const cell = (c: string, i: number) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!));
  return rows.map((r) => r.map(cell).join('  ').trimEnd()).join('\n');
}

/** The figures as a table: per incident kind, then the totals, what was missed, and noisy rules. */
export function formatEvaluation(e: Evaluation, rules: string): string {
  const perKindFalse = e.perKind.reduce((n, k) => n + k.falsePerResidentWeek, 0);
  const rows = [
    [
      'incident kind',
      'detected by',
      'incidents',
      'detected',
      'median delay',
      'worst delay',
      'false / resident-week',
    ],
    ...e.perKind.map((k) => [
      k.kind,
      k.alertKinds.join(', '),
      String(k.incidents),
      String(k.detected),
      seconds(k.medianDelayS),
      seconds(k.worstDelayS),
      rate(k.falsePerResidentWeek),
    ]),
    ['other alerts', '', '', '', '', '', rate(Math.max(0, e.falsePerResidentWeek - perKindFalse))],
    [
      'total',
      '',
      String(e.incidents),
      String(e.detected),
      '',
      seconds(e.worstDelayS),
      rate(e.falsePerResidentWeek),
    ],
  ];
  const lines = [`Rules: ${rules}; ${e.residentWeeks.toFixed(1)} resident-weeks.`, '', table(rows)];
  const missed = e.perKind.flatMap((k) => k.missed);
  if (missed.length) lines.push('', `Not detected in time: ${missed.join(', ')}`);
  const noisy = Object.entries(e.falseByRule).sort((p, q) => q[1] - p[1]);
  if (noisy.length) lines.push('', `False alerts by rule: ${noisy.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  return lines.join('\n');
}

/** The figures as JSON: the headline figures the issue names, then the detail. */
export function evaluationJson(e: Evaluation, rules: string) {
  return {
    rules,
    detected: e.detected,
    incidents: e.incidents,
    falsePerResidentWeek: e.falsePerResidentWeek,
    worstDelayS: e.worstDelayS,
    falseAlerts: e.falseAlerts,
    residentWeeks: e.residentWeeks,
    perKind: e.perKind,
    falseByRule: e.falseByRule,
  };
}
