import { type DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQL, refIds } from '../influxql.js';
import { careedgeBoard, stat, steps } from '../panels.js';
import { action, actions, alerts, CLOSED } from '../schema.js';
import { blueFrom, COMPLIANCE, SERVICE_TARGETS, type ServiceTarget } from '../service-figures.js';

const WHERE = `${alerts.place} AND $timeFilter`;
const id = alerts.field('alert_id');

/**
 * Alerts raised minus alerts closed over the last 7 days: an alert lives minutes to hours, so a
 * week's window sees both ends of nearly every one (InfluxQL cannot join an alert's events). One
 * query, so Grafana need not join two: of the raised and closing events, only the closing ones
 * carry `resolve_s`, so raised − closed = count(alert_id) − 2 × count(resolve_s).
 */
export const openAlerts = () =>
  stat()
    .title('Open alerts (raised − closed, last 7 days)')
    .description('Alerts raised in the last 7 days that have not been resolved or cancelled.')
    .timeFrom('7d')
    .targets(
      refIds([
        new InfluxQL(
          `SELECT count(${id}) - 2 * count(${alerts.field('resolve_s')}) AS "open" FROM ${alerts} WHERE ${actions(['raised', ...CLOSED])} AND ${WHERE}`,
          { columns: ['open'] },
        ),
      ]),
    )
    .thresholds(steps('green', [1, 'yellow'], [5, 'red']))
    .span(6)
    .height(6);

/** Percentiles of one response time, taken once per alert at the step that fixes it. */
function percentiles(
  field: 'accept_s' | 'arrive_s' | 'resolve_s',
  at: 'acknowledged' | 'attended' | 'resolved',
) {
  const f = alerts.field(field);
  return new InfluxQL(
    `SELECT percentile(${f}, 50) AS "p50", percentile(${f}, 90) AS "p90", percentile(${f}, 99) AS "p99" FROM ${alerts} WHERE ${action(at)} AND ${WHERE} GROUP BY time($__interval), ${alerts.tag('priority')} fill(none)`,
    { columns: ['p50', 'p90', 'p99'], tags: ['priority'] },
  ).alias(`${field} $tag_priority $col`);
}

export const responseTimes = () =>
  new TimeSeries()
    .title('Response times: raise → accept, arrive, resolve (p50 / p90 / p99)')
    .description('Seconds from raise, by priority; each alert counted once, at the step that fixes the time.')
    .unit('s')
    .targets(
      refIds([
        percentiles('accept_s', 'acknowledged'),
        percentiles('arrive_s', 'attended'),
        percentiles('resolve_s', 'resolved'),
      ]),
    )
    .span(18)
    .height(9);

/**
 * Share of alerts that met a service figure, percent. InfluxQL has no comparison in SELECT:
 * floor(1 / (1 + floor(t / limit))) is 1 for t < limit and 0 from it on, so its mean is the share
 * (a time of exactly the limit counts as missed: a millisecond's strictness, never flattering).
 */
export function shareWithin(t: ServiceTarget): InfluxQL {
  const at = { accept_s: 'acknowledged', arrive_s: 'attended', resolve_s: 'resolved' } as const;
  const prio = t.priorities ? ` AND ${alerts.tag('priority')} =~ /^(${t.priorities.join('|')})$/` : '';
  return new InfluxQL(
    `SELECT mean("met") * 100 AS "pct" FROM (SELECT floor(1 / (1 + floor(${alerts.field(t.field)} / ${t.withinS}))) AS "met" FROM ${alerts} WHERE ${action(at[t.field])}${prio} AND ${WHERE})`,
    { columns: ['pct'] },
  );
}

export const slaTile = (t: ServiceTarget) =>
  stat()
    .title(t.title)
    .description(
      `${t.source}. Blue from ${blueFrom(t)}%, yellow from ${COMPLIANCE.yellowFromPct}%, red below.`,
    )
    .unit('percent')
    .decimals(1)
    .min(0)
    .max(100)
    .noValue('no alerts')
    .targets(refIds([shareWithin(t)]))
    .thresholds(steps('red', [COMPLIANCE.yellowFromPct, 'yellow'], [blueFrom(t), 'blue']))
    .span(Math.floor(24 / SERVICE_TARGETS.length))
    .height(5);

/** Escalations by the level they reached (1 = first escalation); `level` is a field, so one query each. */
export const escalations = () =>
  new TimeSeries()
    .title('Escalations by level reached')
    .description('Alerts escalated past their first responders, counted per interval by the level reached.')
    .targets(
      refIds(
        [
          ['1', '= 1'],
          ['2', '= 2'],
          ['3+', '>= 3'],
        ].map(
          ([name, cond]) =>
            new InfluxQL(
              `SELECT count(${id}) AS "level ${name}" FROM ${alerts} WHERE ${action('escalated')} AND ${alerts.field('level')} ${cond} AND ${WHERE} GROUP BY time($__interval) fill(0)`,
              { columns: [`level ${name}`] },
            ),
        ),
      ),
    )
    .span(24)
    .height(8);

/**
 * Per rule and rules file version (tags of every alert point): how many alerts, how many closed
 * themselves or were cancelled, and how fast they were accepted, so a rules change can be judged
 * by the same figures before and after it. One row per rule and version; Grafana joins the three
 * queries on those two columns.
 */
export const alertsByRule = () => {
  const rule = alerts.tag('rule');
  const byRule = `${alerts.place} AND ${rule} =~ /./ AND $timeFilter GROUP BY ${rule}, ${alerts.tag('rules_version')}`;
  const accept = alerts.field('accept_s');
  const tags = ['rule', 'rules_version'];
  return new Table()
    .title('Alerts by rule and rules version')
    .description(
      'Alerts each rule raised under each version of the rules file (its content hash), how many were cancelled (cleared by the device or the rule, or reset), and the median and 90th percentile time to acceptance. Compare a rule across versions to judge a rules change.',
    )
    .targets(
      refIds([
        new InfluxQL(
          `SELECT count(${id}) AS "raised" FROM ${alerts} WHERE ${action('raised')} AND ${byRule}`,
          {
            columns: ['raised'],
            tags,
          },
        ).table(),
        new InfluxQL(
          `SELECT count(${id}) AS "cancelled" FROM ${alerts} WHERE ${action('cancelled')} AND ${byRule}`,
          { columns: ['cancelled'], tags },
        ).table(),
        new InfluxQL(
          `SELECT median(${accept}) AS "median accept s", percentile(${accept}, 90) AS "p90 accept s" FROM ${alerts} WHERE ${action('acknowledged')} AND ${byRule}`,
          { columns: ['median accept s', 'p90 accept s'], tags },
        ).table(),
      ]),
    )
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } })
    .span(24)
    .height(8);
};

export function careOperations(): DashboardBuilder {
  const board = careedgeBoard(
    'care-operations',
    'CareEdge · Care operations',
    'Open alerts, response times, the service figures as SLA tiles, escalations, alerts by rule and rules version.',
  )
    .withRow(new RowBuilder('Now'))
    .withPanel(openAlerts())
    .withPanel(responseTimes())
    .withRow(new RowBuilder('Service figures (share of alerts that made it)'));
  for (const t of SERVICE_TARGETS) board.withPanel(slaTile(t));
  return board
    .withPanel(escalations())
    .withRow(new RowBuilder('Rules (before and after a rules change)'))
    .withPanel(alertsByRule());
}
