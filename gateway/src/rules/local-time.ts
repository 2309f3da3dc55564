import type { LocalTime } from './kind.js';

/**
 * Gateway time → the site's local wall-clock time, for time-of-day scopes and kinds. Formatting a
 * date is slow next to 5,000 messages a second, so the last minute is remembered: every input in
 * the same minute gets the answer again (time zones move in whole minutes).
 */
export function siteLocalTime(timeZone: string): (at: number) => LocalTime {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  let cachedMinute = Number.NaN;
  let cached: LocalTime = { day: '', hour: 0, minuteOfDay: 0 };
  return (at) => {
    const minute = Math.floor(at / 60_000);
    if (minute === cachedMinute) return cached;
    const parts: Record<string, string> = {};
    for (const p of format.formatToParts(at)) parts[p.type] = p.value;
    const hour = Number(parts.hour);
    cached = {
      day: `${parts.year}-${parts.month}-${parts.day}`,
      hour,
      minuteOfDay: hour * 60 + Number(parts.minute),
    };
    cachedMinute = minute;
    return cached;
  };
}
