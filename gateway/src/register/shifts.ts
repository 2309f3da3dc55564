import type { RosterEntry } from './types.js';

/** Wall-clock time at the site: ISO weekday 1 (Mon) … 7 (Sun) and minutes after local midnight. */
export interface LocalTime {
  weekday: number;
  minute: number;
}

const isoWeekday: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/**
 * A function from an instant to the site's wall-clock time. Rosters are written in local time, so
 * a 07:00 shift starts at 07:00 on the ward clock whether or not daylight saving is in force.
 * The formatter is built once; formatting costs microseconds, far below how often rosters are read.
 */
export function localClock(timeZone: string): (at: number) => LocalTime {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (at) => {
    let weekday = 0;
    let hour = 0;
    let minute = 0;
    for (const part of format.formatToParts(at)) {
      if (part.type === 'weekday') weekday = isoWeekday[part.value] ?? 0;
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return { weekday, minute: hour * 60 + minute };
  };
}

const previousDay = (weekday: number): number => (weekday === 1 ? 7 : weekday - 1);

/**
 * Whether a roster line is in force at a local time. A shift whose end is not after its start
 * (19:00–07:00) runs past midnight and belongs to the day it starts on: Monday's night shift
 * covers Monday 19:00 to Tuesday 07:00, so after midnight the previous day's `days` decide.
 */
export function isOnShift(entry: Pick<RosterEntry, 'days' | 'fromMin' | 'toMin'>, t: LocalTime): boolean {
  if (entry.toMin > entry.fromMin) {
    return entry.days.includes(t.weekday) && t.minute >= entry.fromMin && t.minute < entry.toMin;
  }
  if (t.minute >= entry.fromMin) return entry.days.includes(t.weekday);
  return t.minute < entry.toMin && entry.days.includes(previousDay(t.weekday));
}
