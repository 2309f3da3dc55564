/**
 * Local midnights of a site time zone as instants: the history is planned in local wall-clock
 * minutes (a resident gets up at 07:10 whatever the daylight-saving offset), so every day needs
 * the instant its local midnight falls on. A DST day is 23 or 25 hours long.
 */

const DAY_MS = 86_400_000;

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
function offsetAt(at: number, format: Intl.DateTimeFormat): number {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(at)) p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant of local midnight at the start of a calendar date (YYYY-MM-DD) in `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`start date must be YYYY-MM-DD (got ${JSON.stringify(date)})`);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Two passes: the offset at the first guess may differ from the one at midnight (DST edges).
  let at = wall - offsetAt(wall, format);
  at = wall - offsetAt(at, format);
  return at;
}

/** `days + 1` local midnights from `startDate`: day d runs from element d to element d + 1. */
export function localMidnights(startDate: string, days: number, timeZone: string): number[] {
  const noon = Date.parse(`${startDate}T12:00:00Z`);
  // Calendar dates counted in UTC noon steps (no DST there), each read as a local midnight.
  return Array.from({ length: days + 1 }, (_, d) =>
    localMidnight(new Date(noon + d * DAY_MS).toISOString().slice(0, 10), timeZone),
  );
}
