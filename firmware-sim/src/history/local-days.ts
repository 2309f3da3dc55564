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

const formatFor = (timeZone: string) =>
  new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });

/** The instant of local midnight at the start of a calendar date (YYYY-MM-DD) in `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`start date must be YYYY-MM-DD (got ${JSON.stringify(date)})`);
  const format = formatFor(timeZone);
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

/**
 * The local days of a history: their midnights, and wall-clock minutes ↔ instants within a day.
 * A resident plans the day by the wall clock (up at 07:10, also on a daylight-saving day), so
 * minutes since midnight are not elapsed minutes on the two change days.
 */
export interface LocalDays {
  /** `days + 1` local midnights: day d runs from element d to element d + 1. */
  midnights: number[];
  /** Wall-clock minutes since local midnight of day `day` at instant `ts` (the repeated hour repeats). */
  wallMinute(day: number, ts: number): number;
  /**
   * The instant of wall-clock minute `min` of day `day`; a minute of the repeated hour is its first
   * occurrence, a minute of the skipped hour the instant it would have been without the change.
   */
  instantAt(day: number, min: number): number;
}

const MIN_MS = 60_000;

export function localDays(startDate: string, days: number, timeZone: string): LocalDays {
  const midnights = localMidnights(startDate, days, timeZone);
  const format = formatFor(timeZone);
  // Per day: the clock change (instant, and how much longer than 24 h the day is), if any.
  const changes = midnights.slice(0, -1).map((from, d) => {
    const shift = midnights[d + 1]! - from - DAY_MS;
    if (shift === 0) return null;
    const before = offsetAt(from, format);
    let [lo, hi] = [from, midnights[d + 1]!];
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetAt(mid, format) === before) lo = mid;
      else hi = mid;
    }
    return { at: hi, shift };
  });
  return {
    midnights,
    wallMinute(day, ts) {
      const c = changes[day];
      return (ts - midnights[day]! - (c && ts >= c.at ? c.shift : 0)) / MIN_MS;
    },
    instantAt(day, min) {
      const from = midnights[day]!;
      const c = changes[day];
      // The wall minute the clocks change at, and (spring) the hour after it that never shows.
      const changed = c !== null && c !== undefined && min * MIN_MS >= c.at - from + Math.max(0, -c.shift);
      return from + min * MIN_MS + (changed ? c.shift : 0);
    },
  };
}
