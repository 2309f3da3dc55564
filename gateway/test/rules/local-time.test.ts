import { describe, expect, it } from 'vitest';
import { siteLocalTime } from '../../src/rules/local-time.js';

/** The slow, obviously right answer: Intl for every instant. */
function reference(timeZone: string) {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (at: number) => {
    const p: Record<string, string> = {};
    for (const part of f.formatToParts(at)) p[part.type] = part.value;
    return { day: `${p.year}-${p.month}-${p.day}`, hour: +p.hour!, minuteOfDay: +p.hour! * 60 + +p.minute! };
  };
}

// Offsets of whole hours, half and three-quarter hours, and a half-hour daylight-saving shift.
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Adelaide',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'UTC',
];

describe('site local time', () => {
  it('agrees with Intl through 2026, daylight-saving changes included, in zones with odd offsets', () => {
    for (const zone of ZONES) {
      const fast = siteLocalTime(zone);
      const slow = reference(zone);
      // Every 17th minute of every day of the year (with seconds): each change falls within minutes.
      for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2027, 0, 1); day += 86_400_000) {
        for (let m = 0; m < 1440; m += 17) {
          const at = day + m * 60_000 + 13_000;
          expect(fast(at), `${zone} ${new Date(at).toISOString()}`).toEqual(slow(at));
        }
      }
    }
  });

  it('answers instants out of order, and far apart, as Intl does', () => {
    const fast = siteLocalTime('Europe/Berlin');
    const slow = reference('Europe/Berlin');
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const at = Date.UTC(2020, 0, 1) + (x / 2 ** 31) * 10 * 365 * 86_400_000;
      expect(fast(at)).toEqual(slow(at));
    }
  });
});
