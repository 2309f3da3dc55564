import type { LocalTime } from './kind.js';

/** Time zones change their offset only on a quarter hour of UTC (even +05:45 and +09:30 ones). */
const QUARTER_MS = 15 * 60_000;
/** Quarter hours whose offset is remembered; beyond, the memory starts again (replay of years). */
const MAX_REMEMBERED = 20_000;

/**
 * Gateway time → the site's local wall-clock time, for time-of-day scopes and kinds. Asking Intl
 * for each input was 18 % of the rules' CPU at 5,000 messages a second (kinds ask for several
 * instants a reading, so remembering the last minute did not help). The zone's offset is asked once
 * per quarter hour of UTC and remembered; the rest is arithmetic on the shifted instant.
 */
export function siteLocalTime(timeZone: string): (at: number) => LocalTime {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const offsets = new Map<number, number>();
  const offsetAt = (at: number): number => {
    const quarter = Math.floor(at / QUARTER_MS);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      const p: Record<string, string> = {};
      // Measured at the quarter's start: the wall clock there, read as if it were UTC, minus the instant.
      const start = quarter * QUARTER_MS;
      for (const part of format.formatToParts(start)) p[part.type] = part.value;
      const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
      offset = wall - start;
      if (offsets.size >= MAX_REMEMBERED) offsets.clear();
      offsets.set(quarter, offset);
    }
    return offset;
  };
  let cachedMinute = Number.NaN;
  let cached: LocalTime = { day: '', hour: 0, minuteOfDay: 0 };
  return (at) => {
    const minute = Math.floor(at / 60_000);
    if (minute === cachedMinute) return cached;
    const wall = new Date(at + offsetAt(at));
    const hour = wall.getUTCHours();
    const month = wall.getUTCMonth() + 1;
    const date = wall.getUTCDate();
    cached = {
      day: `${wall.getUTCFullYear()}-${month < 10 ? '0' : ''}${month}-${date < 10 ? '0' : ''}${date}`,
      hour,
      minuteOfDay: hour * 60 + wall.getUTCMinutes(),
    };
    cachedMinute = minute;
    return cached;
  };
}
