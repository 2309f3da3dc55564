import { berlin, HOUR, MIN, type Reading } from '../../helpers/kind-driver.js';
import { localTimeIn } from '../../helpers/local-time.js';

/** The wall clock the kinds see in these tests. */
export const local = localTimeIn('Europe/Berlin');

/** Local midnight of day `d` after 2026-05-04 (CEST, no daylight-saving change for weeks). */
export const day = (d: number): number => berlin('2026-05-04 00:00') + d * 24 * HOUR;

/**
 * A plain resident's day by the wall clock: asleep (1.5) until `wakeMin`, about 25 by day with
 * some wobble, asleep again from 21:30.
 */
export function rhythm(wakeMin = 7 * 60, dayActivity = 25): (at: number) => Reading {
  return (at) => {
    const m = local(at).minuteOfDay;
    if (m < wakeMin || m >= 21 * 60 + 30) return { activity: 1.5 };
    return { activity: dayActivity + ((Math.floor(at / MIN) * 7) % 11) - 5 };
  };
}
