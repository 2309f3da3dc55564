import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Influxd, startInfluxd } from '../../gateway/harness/influxd.js';
import { alertsByRule, shareWithin } from '../src/boards/care-operations.js';
import { BOARDS } from '../src/index.js';
import { PROACTIVE_KINDS } from '../src/schema.js';
import { SERVICE_TARGETS } from '../src/service-figures.js';
import { type MacroValues, queryPanels, substitute, targetsOf } from './helpers/grafana-macros.js';
import { querySeries, writeLines } from './helpers/influx-series.js';
import { RULES_VERSIONS, SITE, type SimWeek, simulateWeek } from './helpers/sim-week.js';

// Every panel's query against a real InfluxDB 1.x holding a simulated week of a small site.
let influx: Influxd;
let week: SimWeek;
let macros: MacroValues;

beforeAll(async () => {
  week = simulateWeek();
  influx = await startInfluxd('careedge');
  await writeLines(influx.url, 'careedge', week.lines);
  macros = {
    from: week.from,
    to: week.to,
    interval: '1h',
    vars: { site: SITE, zone: '.*', shift: '12h', shift_start: '7h', timezone: 'Europe/London' },
  };
}, 60_000);

afterAll(() => influx?.close());

const run = (q: string) => querySeries(influx.url, 'careedge', substitute(q, macros));

describe.each(Object.entries(BOARDS))('dashboard %s', (_name, build) => {
  const board = build().build();

  it('answers every template variable query with values', async () => {
    const vars = (board.templating?.list ?? []).filter((v) => v.type === 'query');
    expect(vars.length).toBeGreaterThan(0);
    for (const v of vars) {
      const series = await run(String(v.query));
      expect(series.flatMap((s) => s.values).length, v.name).toBeGreaterThan(0);
    }
  });

  for (const panel of queryPanels(board))
    for (const target of targetsOf(panel))
      it(`${panel.title} (${target.refId}): rows of the expected shape`, async () => {
        const shape = target.shape!;
        expect(shape, 'every query states its shape').toBeDefined();
        const series = await run(target.query);
        expect(series.length, target.query).toBeGreaterThan(0);
        for (const s of series) {
          expect(s.columns).toEqual(['time', ...shape.columns]);
          expect(Object.keys(s.tags ?? {}).sort()).toEqual([...(shape.tags ?? [])].sort());
        }
        // Not only columns: every expected column holds a number or a boolean somewhere.
        for (const [i, col] of shape.columns.entries()) {
          const values = series.flatMap((s) => s.values.map((row) => row[i + 1]));
          expect(
            values.some((v) => typeof v === 'number' || typeof v === 'boolean'),
            `${col} in ${target.query}`,
          ).toBe(true);
        }
      });
});

describe('what the panels say about the simulated week', () => {
  it('every panel with a query has one, and text panels none', () => {
    for (const build of Object.values(BOARDS))
      for (const p of queryPanels(build().build()))
        expect(targetsOf(p).length > 0, p.title).toBe(p.type !== 'text');
  });

  it.each(SERVICE_TARGETS.map((t) => [t.id, t] as const))(
    'SLA tile %s equals the share computed from the alerts',
    async (_id, t) => {
      const at = { accept_s: 'acknowledgedAt', arrive_s: 'attendedAt', resolve_s: 'closedAt' } as const;
      const relevant = week.alerts.filter(
        (a) =>
          (!t.priorities || t.priorities.includes(a.priority)) &&
          a[at[t.field]] !== null &&
          (t.field !== 'resolve_s' || a.state === 'resolved'),
      );
      expect(relevant.length).toBeGreaterThan(3);
      const met = relevant.filter((a) => (a[at[t.field]]! - a.raisedAt) / 1000 < t.withinS).length;
      const [s] = await run(shareWithin(t).build().query);
      expect(s!.values[0]![1]).toBeCloseTo((100 * met) / relevant.length, 6);
    },
  );

  it('open alerts: raised minus closed is the one alert left open', async () => {
    const board = BOARDS['care-operations']!().build();
    const open = queryPanels(board).find((p) => p.title?.startsWith('Open alerts'))!;
    const [series] = await run(targetsOf(open)[0]!.query);
    expect(week.alerts.filter((a) => a.closedAt === null)).toHaveLength(1);
    expect(series!.values[0]![1]).toBe(1);
  });

  it('alerts by rule and rules version: one row per rule and version, the counts of the simulated alerts', async () => {
    const [raised, cancelled] = targetsOf(alertsByRule().build()).map((t) => t.query);
    const rows = async (q: string) =>
      new Map((await run(q!)).map((s) => [`${s.tags!.rule}@${s.tags!.rules_version}`, s.values[0]![1]]));
    const expected = (keep: (a: SimWeek['alerts'][number]) => boolean) => {
      const m = new Map<string, number>();
      for (const a of week.alerts.filter(keep)) {
        const k = `${a.ruleId}@${a.rulesVersion}`;
        m.set(k, (m.get(k) ?? 0) + 1);
      }
      return m;
    };
    const byRule = await rows(raised!);
    expect(byRule).toEqual(expected(() => true));
    // The rules change mid-week shows: each rule has a row before it and after it.
    for (const rule of ['calls', 'device-offline', 'heart-rate', 'inactivity', 'battery-low'])
      for (const v of RULES_VERSIONS) expect(byRule.get(`${rule}@${v}`), `${rule}@${v}`).toBeGreaterThan(0);
    expect(await rows(cancelled!)).toEqual(expected((a) => a.state === 'cancelled'));
  });

  it('proactive alerts count the anomaly rules’ kinds with falls and device-offline', async () => {
    const panels = queryPanels(BOARDS['service-quality']!().build());
    const love = panels.find((p) => p.title?.startsWith('♥ Love'))!;
    const [series] = await run(targetsOf(love)[0]!.query);
    const proactive = week.alerts.filter((a) => (PROACTIVE_KINDS as readonly string[]).includes(a.kind));
    expect(proactive.some((a) => a.kind === 'vital-sign' || a.kind === 'inactivity')).toBe(true);
    expect(series!.values[0]![1]).toBe(proactive.length);
  });

  it('workload: the calls per person per shift add up to every accepted alert, one shift bucket per 12 h', async () => {
    const board = BOARDS['staff-workload']!().build();
    const panel = queryPanels(board).find((p) => p.title === 'Calls accepted per person per shift')!;
    const series = await run(targetsOf(panel)[0]!.query);
    const total = series.flatMap((s) => s.values).reduce((sum, row) => sum + Number(row[1]), 0);
    expect(total).toBe(week.alerts.filter((a) => a.acknowledgedAt !== null).length);
    // Day and night shifts of the simulated roster, two people each: four staff keys.
    expect(series).toHaveLength(4);
    const starts = new Set(
      series.flatMap((s) => s.values.map((row) => new Date(String(row[0])).getUTCHours())),
    );
    expect(starts).toEqual(new Set([7, 19]));
  });

  it('devices: the one band gone offline and the one on the night stand at the end of the week', async () => {
    const panels = queryPanels(BOARDS.devices!().build());
    for (const title of ['Offline now', 'Wristbands not worn']) {
      const [series] = await run(targetsOf(panels.find((p) => p.title === title)!)[0]!.query);
      expect(series!.values[0]![1], title).toBe(1);
    }
  });

  it('no vitals of the resident who declined them, yet their device status arrives', async () => {
    const vitalsResidents = await run('SHOW TAG VALUES FROM "wristband_vitals" WITH KEY = "resident"');
    const statusResidents = await run('SHOW TAG VALUES FROM "device_status" WITH KEY = "resident"');
    expect(vitalsResidents[0]!.values).toHaveLength(week.residents - 1);
    expect(statusResidents[0]!.values).toHaveLength(week.residents);
  });

  it('Happy Index per kiosk: the dining-room kiosk dips in the hour after lunch, the other does not', async () => {
    const panel = queryPanels(BOARDS['service-quality']!().build()).find((p) =>
      p.title?.startsWith('Happy Index per kiosk'),
    )!;
    const series = await run(targetsOf(panel)[0]!.query);
    /** Mean of the hourly values at one UTC hour of day (London is on UTC in November). */
    const at = (kiosk: string, hour: number) => {
      const rows = series
        .find((s) => s.tags?.kiosk === kiosk)!
        .values.filter((r) => new Date(r[0] as string).getUTCHours() === hour)
        .map((r) => r[1] as number);
      return rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    // Lunch at 12:30: 13:00–14:00 is all dip (about 2.3 against 3.1 otherwise).
    expect(at('kiosk-lounge', 13)).toBeLessThan(at('kiosk-lounge', 10) - 0.5);
    expect(at('kiosk-east', 13)).toBeGreaterThan(at('kiosk-lounge', 13) + 0.5);
  });
});
