import { formatDuration } from './duration.js';
import type { ScenarioReport } from './runner.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The closing summary: one line of totals, then one line per alert. */
export function formatSummary(report: ScenarioReport): string {
  const s = report.summary;
  const verdict = s.allClosed ? 'all closed' : 'NOT all closed';
  const lines = [
    `${report.name}: ${plural(s.alertsRaised, 'alert')} raised, ${plural(s.escalations, 'escalation')}, ` +
      `${plural(s.declines, 'decline')}; ${s.resolved} resolved, ${s.cancelled} cancelled — ${verdict} ` +
      `in ${formatDuration(s.durationMs)}${s.timedOut ? ' (timed out)' : ''}`,
  ];
  for (const a of report.alerts) {
    const where = [a.residentName, a.room].filter(Boolean).join(', ');
    const end = a.closed ? `${a.closed}${a.outcome ? `: ${a.outcome}` : ''}` : 'OPEN';
    const path = `${a.escalations > 0 ? `escalated to level ${a.maxLevel}, ` : ''}${a.declines > 0 ? `${plural(a.declines, 'decline')}, ` : ''}`;
    lines.push(
      `  #${String(a.id).padEnd(3)} ${a.kind.padEnd(18)} ${a.priority.padEnd(6)} ${where.padEnd(32)} ${path}owner ${a.owner ?? '-'} → ${end}`,
    );
  }
  for (const label of s.unanswered) lines.push(`  no handset was told about: ${label}`);
  return lines.join('\n');
}
