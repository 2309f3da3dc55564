const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/**
 * Parses "2s", "500ms", "1.5s", "2m" into milliseconds; returns an error text otherwise. A bare
 * number is refused on purpose: "at: 2" could mean seconds or milliseconds, and a scenario that
 * guesses wrong fires its steps a thousand times too early or late.
 */
export function parseDuration(value: unknown): { ms: number } | { error: string } {
  if (typeof value === 'number') {
    return { error: `${value} has no unit: write e.g. "${value}s" or "${value}ms"` };
  }
  if (typeof value !== 'string') return { error: `must be a duration like "2s" or "500ms"` };
  const m = DURATION.exec(value.trim());
  if (!m) return { error: `"${value}" is not a duration like "2s", "500ms" or "1.5m"` };
  return { ms: Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]) };
}

/** "1.5s", "250ms", "2m" — the short form used in timelines and summaries. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))}s`;
  return `${Number((ms / 60_000).toFixed(2))}m`;
}
