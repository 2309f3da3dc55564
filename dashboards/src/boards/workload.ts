import type { Priority } from '@careedge/edge';
import { GraphDrawStyle, StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import { CustomVariableBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQL, refIds } from '../influxql.js';
import { careedgeBoard, note } from '../panels.js';
import { workload } from '../schema.js';

const WHERE = `${workload.place} AND $timeFilter`;
const calls = workload.field('calls');
const staff = workload.tag('staff');
/** Shift buckets: `$shift` long from `$shift_start` after local midnight in the site's `$timezone`. */
const SHIFT = 'time($shift, $shift_start)';
const TZ = "tz('$timezone')";

const callsPerShift = (extra: string, title: string, description: string) =>
  new TimeSeries()
    .title(title)
    .description(description)
    .drawStyle(GraphDrawStyle.Bars)
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
    .fillOpacity(70)
    .targets(
      refIds([
        new InfluxQL(
          `SELECT sum(${calls}) AS "calls" FROM ${workload} WHERE ${WHERE}${extra} GROUP BY ${SHIFT}, ${staff} fill(none) ${TZ}`,
          { columns: ['calls'], tags: ['staff'] },
        ).alias('$tag_staff'),
      ]),
    )
    .span(12)
    .height(10);

/** Calls per person per shift: a picture for balancing the load, never a ranking of people. */
export function workloadBoard(): DashboardBuilder {
  return careedgeBoard(
    'staff-workload',
    'CareEdge · Staff workload',
    'Calls per person per shift, for balancing the load across the team.',
  )
    .time({ from: 'now-7d', to: 'now' })
    .withVariable(
      new CustomVariableBuilder('shift')
        .label('Shift length')
        .values('12h,8h')
        .current({ text: '12h', value: '12h' }),
    )
    .withVariable(
      new CustomVariableBuilder('shift_start')
        .label('First shift starts (hours after midnight)')
        .values('7h,6h,8h,0h')
        .current({ text: '7h', value: '7h' }),
    )
    .withVariable(
      new CustomVariableBuilder('timezone')
        .label('Site time zone')
        .description('The site file’s `site.timezone`: shifts follow the local clock, summer time included.')
        .values('Europe/London,UTC')
        .allowCustomValue(true)
        .current({ text: 'Europe/London', value: 'Europe/London' }),
    )
    .withPanel(
      note(
        'For balancing, not for ranking',
        'Staff appear as pseudonymous keys, in no order. Use this to share calls fairly and to spot someone carrying a run of heavy calls (a named burnout risk), never to judge a person: a busy shift says more about the residents than about the carer.',
        24,
        3,
      ),
    )
    .withPanel(
      callsPerShift('', 'Calls accepted per person per shift', 'Every accepted call, stacked per person.'),
    )
    .withPanel(
      callsPerShift(
        ` AND ${workload.tag('priority')} = '${'high' satisfies Priority}'`,
        'Emergency calls per person per shift',
        'High-priority calls only: the heavy ones.',
      ),
    )
    .withPanel(
      new TimeSeries()
        .title('Balance: most and fewest calls of one person per shift')
        .description('A wide gap means one person carried more than the others in that shift.')
        .drawStyle(GraphDrawStyle.Bars)
        .targets(
          refIds([
            new InfluxQL(
              `SELECT max("calls") AS "most", min("calls") AS "fewest" FROM (SELECT sum(${calls}) AS "calls" FROM ${workload} WHERE ${WHERE} GROUP BY ${SHIFT}, ${staff} ${TZ}) WHERE $timeFilter GROUP BY ${SHIFT} fill(none) ${TZ}`,
              { columns: ['most', 'fewest'] },
            ),
          ]),
        )
        .span(24)
        .height(8),
    );
}
