import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatusHistory } from '@grafana/grafana-foundation-sdk/statushistory';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQL, refIds } from '../influxql.js';
import { careedgeBoard, note, steps } from '../panels.js';
import { vitals } from '../schema.js';

const WHERE = `${vitals.place} AND $timeFilter`;
const resident = vitals.tag('resident');

/** Residents' wellbeing by pseudonymous key: who moves when, against their own rhythm. */
export function wellbeing(): DashboardBuilder {
  return careedgeBoard(
    'wellbeing',
    'CareEdge · Residents’ wellbeing',
    'Activity by hour of day and heart rate, per pseudonymous resident key.',
  )
    .withPanel(
      note(
        'Pseudonymous',
        'Residents appear as 16-digit keys (a keyed hash made on the gateway), never by name or room; the gateway can tell who a key is, InfluxDB and Grafana cannot. Residents who declined vitals forwarding have no rows here.',
        24,
        3,
      ),
    )
    .withPanel(
      new StatusHistory()
        .title('Activity by hour of day, per resident')
        .description('Mean movement intensity (0–100) per hour; the last day by default.')
        .targets(
          refIds([
            new InfluxQL(
              `SELECT mean(${vitals.field('activity')}) AS "activity" FROM ${vitals} WHERE ${WHERE} GROUP BY time(1h), ${resident} fill(null)`,
              { columns: ['activity'], tags: ['resident'] },
            ).alias('$tag_resident'),
          ]),
        )
        .thresholds(steps('dark-blue', [5, 'blue'], [20, 'green'], [50, 'yellow']))
        .span(24)
        .height(12),
    )
    .withPanel(
      new TimeSeries()
        .title('Typical day: activity by hour, all residents')
        .description('Mean activity of all residents per hour over the last week.')
        .timeFrom('7d')
        .targets(
          refIds([
            new InfluxQL(
              `SELECT mean(${vitals.field('activity')}) AS "activity" FROM ${vitals} WHERE ${WHERE} GROUP BY time(1h) fill(null)`,
              { columns: ['activity'] },
            ),
          ]),
        )
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeSeries()
        .title('Heart rate per resident')
        .unit('bpm')
        .targets(
          refIds([
            new InfluxQL(
              `SELECT mean(${vitals.field('heart_rate_bpm')}) AS "heart rate" FROM ${vitals} WHERE ${WHERE} GROUP BY time($__interval), ${resident} fill(none)`,
              { columns: ['heart rate'], tags: ['resident'] },
            ).alias('$tag_resident'),
          ]),
        )
        .span(12)
        .height(8),
    );
}
