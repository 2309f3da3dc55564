import type { ReplayAlert } from './offline.js';

/** Two alerts this close (same alert kind and subject) are the same alert, moved by a rule change. */
export const PAIR_WINDOW_MS = 30 * 60_000;

export type AlertDifference =
  | { change: 'only-a'; a: ReplayAlert }
  | { change: 'only-b'; b: ReplayAlert }
  /** The same alert, raised at another time or priority. */
  | { change: 'changed'; a: ReplayAlert; b: ReplayAlert };

const subjectOf = (a: ReplayAlert) => `${a.subject.kind} ${a.subject.id}`;

/**
 * The alerts two rule files raised differently on the same messages, in time order: raised by
 * one only, or by both at another time or priority. Alerts of the same kind and subject within
 * PAIR_WINDOW_MS pair up, nearest first, each at most once.
 */
export function diffAlerts(a: readonly ReplayAlert[], b: readonly ReplayAlert[]): AlertDifference[] {
  const key = (x: ReplayAlert) => `${x.alertKind} ${subjectOf(x)}`;
  const bByKey = new Map<string, ReplayAlert[]>();
  for (const y of b) {
    const same = bByKey.get(key(y));
    if (same) same.push(y);
    else bByKey.set(key(y), [y]);
  }
  const candidates: { x: ReplayAlert; y: ReplayAlert; gap: number }[] = [];
  for (const x of a)
    for (const y of bByKey.get(key(x)) ?? []) {
      const gap = Math.abs(x.at - y.at);
      if (gap <= PAIR_WINDOW_MS) candidates.push({ x, y, gap });
    }
  candidates.sort((p, q) => p.gap - q.gap);
  const pairOfA = new Map<ReplayAlert, ReplayAlert>();
  const pairedB = new Set<ReplayAlert>();
  for (const { x, y } of candidates) {
    if (pairOfA.has(x) || pairedB.has(y)) continue;
    pairOfA.set(x, y);
    pairedB.add(y);
  }
  const out: AlertDifference[] = [];
  for (const x of a) {
    const y = pairOfA.get(x);
    if (!y) out.push({ change: 'only-a', a: x });
    else if (y.at !== x.at || y.priority !== x.priority) out.push({ change: 'changed', a: x, b: y });
  }
  for (const y of b) if (!pairedB.has(y)) out.push({ change: 'only-b', b: y });
  const at = (d: AlertDifference) => (d.change === 'only-b' ? d.b.at : d.a.at);
  return out.sort((p, q) => at(p) - at(q));
}

/** Alerts per rule id, sorted by rule id. */
export function countPerRule(alerts: readonly ReplayAlert[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of [...alerts].sort((p, q) => p.ruleId.localeCompare(q.ruleId)))
    counts[a.ruleId] = (counts[a.ruleId] ?? 0) + 1;
  return counts;
}

/** `YYYY-MM-DD HH:MM:SS` in the site's time zone: the times staff would have seen. */
export function localTimeFormatter(timeZone: string): (at: number) => string {
  const f = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return (at) => f.format(at);
}

const table = (rows: string[][]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
};

const alertCells = (a: ReplayAlert, time: (at: number) => string) => [
  time(a.at),
  a.ruleId,
  subjectOf(a),
  a.priority + (a.priorityChanges.length ? ` → ${a.priorityChanges.at(-1)!.priority}` : ''),
  `${a.alertKind}: ${a.reason}`,
];

/** The alerts in time order: time, rule id, subject, priority, what. */
export function formatTimeline(alerts: readonly ReplayAlert[], time: (at: number) => string): string[] {
  if (alerts.length === 0) return ['(no alerts)'];
  const sorted = [...alerts].sort((p, q) => p.at - q.at);
  return table([['time', 'rule', 'subject', 'priority', 'what'], ...sorted.map((a) => alertCells(a, time))]);
}

export function formatCounts(alerts: readonly ReplayAlert[]): string[] {
  const counts = Object.entries(countPerRule(alerts));
  if (counts.length === 0) return ['(no alerts)'];
  return table([['rule', 'alerts'], ...counts.map(([rule, n]) => [rule, String(n)])]);
}

/** The differences side by side: A's alert on the left, B's on the right. */
export function formatDifferences(diff: readonly AlertDifference[], time: (at: number) => string): string[] {
  if (diff.length === 0) return ['(the same alerts)'];
  const side = (a: ReplayAlert | undefined) =>
    a ? `${time(a.at)} ${a.priority} ${a.ruleId}: ${a.reason}` : '—';
  return table([
    ['kind', 'subject', 'A', 'B'],
    ...diff.map((d) => {
      const any = d.change === 'only-b' ? d.b : d.a;
      return [
        any.alertKind,
        subjectOf(any),
        side(d.change === 'only-b' ? undefined : d.a),
        side(d.change === 'only-a' ? undefined : d.b),
      ];
    }),
  ]);
}
