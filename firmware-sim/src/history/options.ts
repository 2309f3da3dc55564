/** simulate-history's options: parsed and checked here, apart from main.ts, so a test can try them. */
import { parseArgs } from 'node:util';
import { loadSiteFile } from '@careedge/gateway';

export const USAGE = `Usage: npm run simulate-history -- [options]

  --residents N            simulated residents, one wristband each (default 30)
  --days D                 local days of history (default 14)
  --seed S                 random seed: the same options give the same files (default 1)
  --start YYYY-MM-DD       first local day (default 2026-11-02)
  --timezone TZ            site time zone, IANA (default Europe/London)
  --timezone-from FILE     take the time zone from an existing site file instead
  --telemetry-interval S   seconds between telemetry messages (default 60)
  --heartbeat-interval S   seconds between heartbeats (default 60)
  --missing-hour-chance P  chance a resident-day has an hour without messages (default 0.05)
  --out FILE               messages as JSON lines (default history.jsonl); the ground truth
                           goes to FILE.truth.json and the site file to FILE.site.yaml
                           (FILE without its .jsonl)

See docs/ground-truth.md for the formats and the incident kinds.`;

export type HistoryCliOptions = ReturnType<typeof parseHistoryOptions>;

/** The command line; `help` asks for USAGE. Throws a message naming the bad option. */
export function parseHistoryOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      residents: { type: 'string', default: '30' },
      days: { type: 'string', default: '14' },
      seed: { type: 'string', default: '1' },
      start: { type: 'string', default: '2026-11-02' },
      timezone: { type: 'string' },
      'timezone-from': { type: 'string' },
      'telemetry-interval': { type: 'string', default: '60' },
      'heartbeat-interval': { type: 'string', default: '60' },
      'missing-hour-chance': { type: 'string', default: '0.05' },
      out: { type: 'string', default: 'history.jsonl' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const num = (name: keyof typeof values, min: number, max = Number.POSITIVE_INFINITY) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min || v > max)
      throw new Error(
        `--${name} must be a number from ${min}${max < Infinity ? ` to ${max}` : ''} (got ${values[name]})`,
      );
    return v;
  };
  const int = (name: keyof typeof values, min: number) => {
    const v = num(name, min);
    if (!Number.isInteger(v)) throw new Error(`--${name} must be a whole number (got ${values[name]})`);
    return v;
  };
  if (values.timezone !== undefined && values['timezone-from'] !== undefined)
    throw new Error('--timezone and --timezone-from: give one of them');
  const timezone = values['timezone-from']
    ? loadSiteFile(values['timezone-from']).site.timezone
    : (values.timezone ?? 'Europe/London');
  checkTimezone(timezone);
  const start = values.start ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`)))
    throw new Error(`--start must be a date YYYY-MM-DD (got ${start})`);
  return {
    help: values.help === true,
    residents: int('residents', 1),
    days: int('days', 1),
    seed: int('seed', 0),
    startDate: start,
    timezone,
    telemetryS: int('telemetry-interval', 1),
    heartbeatS: int('heartbeat-interval', 1),
    missingHourChance: num('missing-hour-chance', 0, 1),
    out: values.out ?? 'history.jsonl',
  };
}

function checkTimezone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(
      `--timezone: unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/London)`,
    );
  }
}

/** The three files of one history: messages, ground truth, site. */
export function outputFiles(out: string) {
  const base = out.replace(/\.jsonl$/, '');
  return { messages: out, truth: `${base}.truth.json`, site: `${base}.site.yaml` };
}
