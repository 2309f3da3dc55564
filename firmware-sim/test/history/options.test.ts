import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localDays, localMidnights } from '../../src/history/local-days.js';
import { outputFiles, parseHistoryOptions } from '../../src/history/options.js';

describe('simulate-history options', () => {
  it('has defaults for a 30-resident fortnight, and takes the documented example', () => {
    expect(parseHistoryOptions([])).toMatchObject({
      residents: 30,
      days: 14,
      seed: 1,
      telemetryS: 60,
      heartbeatS: 60,
    });
    expect(
      parseHistoryOptions([
        '--residents',
        '5',
        '--days',
        '3',
        '--seed',
        '9',
        '--out',
        'x.jsonl',
        '--timezone',
        'Asia/Shanghai',
      ]),
    ).toMatchObject({ residents: 5, days: 3, seed: 9, out: 'x.jsonl', timezone: 'Asia/Shanghai' });
    expect(outputFiles('out/h.jsonl')).toEqual({
      messages: 'out/h.jsonl',
      truth: 'out/h.truth.json',
      site: 'out/h.site.yaml',
    });
  });

  it('takes the time zone from a site file', () => {
    const site = fileURLToPath(new URL('../../../gateway/sites/example.yaml', import.meta.url));
    expect(parseHistoryOptions(['--timezone-from', site]).timezone).toBe('Europe/London');
    expect(() => parseHistoryOptions(['--timezone-from', site, '--timezone', 'UTC'])).toThrow(
      'give one of them',
    );
  });

  it('names the bad option and what it got', () => {
    expect(() => parseHistoryOptions(['--residents', '0'])).toThrow(
      '--residents must be a number from 1 (got 0)',
    );
    expect(() => parseHistoryOptions(['--days', '1.5'])).toThrow('--days must be a whole number (got 1.5)');
    expect(() => parseHistoryOptions(['--timezone', 'Mars/Olympus'])).toThrow(
      /unknown time zone "Mars\/Olympus"/,
    );
    expect(() => parseHistoryOptions(['--start', '2026-13-40'])).toThrow(
      '--start must be a date YYYY-MM-DD (got 2026-13-40)',
    );
    expect(() => parseHistoryOptions(['--missing-hour-chance', '2'])).toThrow('from 0 to 1');
  });
});

describe('local midnights', () => {
  it('makes a daylight-saving day 25 hours long and keeps midnight local', () => {
    const [a, b, c] = localMidnights('2026-10-24', 2, 'Europe/London');
    expect(new Date(a!).toISOString()).toBe('2026-10-23T23:00:00.000Z');
    expect(b! - a!).toBe(24 * 3_600_000);
    expect(c! - b!).toBe(25 * 3_600_000);
    expect(new Date(localMidnights('2026-11-02', 1, 'Asia/Shanghai')[0]!).toISOString()).toBe(
      '2026-11-01T16:00:00.000Z',
    );
  });
});

describe('local days', () => {
  const H = 3_600_000;
  it('turns wall-clock minutes into instants and back across both daylight-saving changes', () => {
    // 29 March 2026: 01:00 GMT → 02:00 BST.
    const spring = localDays('2026-03-29', 1, 'Europe/London');
    const [m] = spring.midnights;
    expect(new Date(spring.instantAt(0, 7 * 60)).toISOString()).toBe('2026-03-29T06:00:00.000Z');
    expect(new Date(spring.instantAt(0, 30)).toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(spring.wallMinute(0, Date.parse('2026-03-29T06:00:00Z'))).toBe(7 * 60);
    expect(spring.wallMinute(0, m! + 30 * 60_000)).toBe(30);
    expect(spring.wallMinute(0, Date.parse('2026-03-29T22:59:00Z'))).toBe(23 * 60 + 59);
    // 25 October 2026: 02:00 BST → 01:00 GMT; midnight is 23:00 UTC the day before.
    const autumn = localDays('2026-10-25', 1, 'Europe/London');
    expect(new Date(autumn.instantAt(0, 7 * 60)).toISOString()).toBe('2026-10-25T07:00:00.000Z');
    expect(new Date(autumn.instantAt(0, 60)).toISOString()).toBe('2026-10-25T00:00:00.000Z');
    expect(autumn.wallMinute(0, Date.parse('2026-10-25T07:00:00Z'))).toBe(7 * 60);
    expect(autumn.wallMinute(0, Date.parse('2026-10-25T00:30:00Z'))).toBe(90);
    expect(autumn.wallMinute(0, Date.parse('2026-10-25T01:30:00Z'))).toBe(90); // the repeated hour
    expect(autumn.wallMinute(0, autumn.midnights[1]! - 60_000)).toBe(24 * 60 - 1);
    // An ordinary day: elapsed minutes.
    const plain = localDays('2026-11-02', 1, 'Europe/London');
    expect(plain.instantAt(0, 600) - plain.midnights[0]!).toBe(10 * H);
    expect(plain.wallMinute(0, plain.midnights[0]! + 10 * H)).toBe(600);
  });
});
