import { Type } from '@sinclair/typebox';
import type { LocalTime } from '../kind.js';

/** A local time-of-day range in a rule's params, `HH:MM-HH:MM`; it may wrap midnight. */
export const HoursRange = (description: string, fallback: string) =>
  Type.String({
    pattern: '^([01]\\d|2[0-3]):[0-5]\\d-(([01]\\d|2[0-3]):[0-5]\\d|24:00)$',
    default: fallback,
    description: `${description} Local wall-clock time, \`HH:MM-HH:MM\` (may wrap midnight).`,
  });

/** A local time of day in a rule's params, `HH:MM`. */
export const TimeOfDay = (description: string, fallback: string) =>
  Type.String({
    pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
    default: fallback,
    description: `${description} Local wall-clock time, \`HH:MM\`.`,
  });

/** `HH:MM` → minutes after midnight. */
export const minuteOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `HH:MM` of a minute of the day, for reasons and `describe`. */
export const hhmm = (minuteOfDay: number): string => {
  const m = Math.round(minuteOfDay);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** Whether a minute of the day lies in `HH:MM-HH:MM` (start included, end excluded). */
export function inHours(range: string, minuteOfDay: number): boolean {
  const from = minuteOf(range.slice(0, 5));
  const to = minuteOf(range.slice(6, 11));
  return from <= to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
}

/**
 * The gateway time of a local minute of the same local day as `at`. The contract only converts
 * one way (`local`), so this steps by the difference and checks again: on a daylight-saving day
 * the first guess is an hour off when the change lies between the two times.
 */
export function atLocalMinute(local: (at: number) => LocalTime, at: number, minuteOfDay: number): number {
  let t = at - (at % 60_000) + (minuteOfDay - local(at).minuteOfDay) * 60_000;
  for (let i = 0; i < 3; i++) {
    const diff = minuteOfDay - local(t).minuteOfDay;
    if (diff === 0) break;
    t += diff * 60_000;
  }
  return t;
}
