import type { LocalTime } from '../../src/rules/kind.js';

/**
 * `StepContext.local` for a time zone, built with Intl as the engine's will be (tests of the
 * rule kinds: daylight-saving days of 23 and 25 hours included). Cached per minute: a
 * fortnight of history asks for the same minutes many times.
 */
export function localTimeIn(timeZone: string): (at: number) => LocalTime {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const cache = new Map<number, LocalTime>();
  return (at) => {
    const minute = Math.floor(at / 60_000);
    const hit = cache.get(minute);
    if (hit) return hit;
    const parts = format.formatToParts(minute * 60_000);
    const get = (type: string) => parts.find((p) => p.type === type)!.value;
    const hour = Number(get('hour'));
    const local = {
      day: `${get('year')}-${get('month')}-${get('day')}`,
      hour,
      minuteOfDay: hour * 60 + Number(get('minute')),
    };
    if (cache.size > 100_000) cache.clear();
    cache.set(minute, local);
    return local;
  };
}
