import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQL, refIds } from '../influxql.js';
import { careedgeBoard, stat, steps } from '../panels.js';
import { action, actions, alerts, CLOSED, feedback, kinds, PROACTIVE_KINDS } from '../schema.js';

const WHERE = `${alerts.place} AND $timeFilter`;
const id = alerts.field('alert_id');
const byAction = alerts.tag('action');
const FEEDBACK_WHERE = `${feedback.place} AND $timeFilter`;
const score = feedback.field('score');

const heart = (title: string, description: string, queries: InfluxQL[]) =>
  stat().title(title).description(description).targets(refIds(queries)).span(8).height(6);

/** The "five hearts" scorecard of the centre's service plan (MISSION.md). */
export function serviceQuality(): DashboardBuilder {
  return careedgeBoard(
    'service-quality',
    'CareEdge · Service quality (five hearts)',
    'Love, patience, carefulness, responsibility, confidence: the centre’s scorecard.',
  )
    .time({ from: 'now-30d', to: 'now' })
    .withPanel(
      heart(
        '♥ Love: proactive alerts',
        `Alerts the gateway raised before anyone asked (${PROACTIVE_KINDS.join(', ')}), beside all alerts raised.`,
        [
          new InfluxQL(
            `SELECT count(${id}) AS "proactive" FROM ${alerts} WHERE ${action('raised')} AND ${kinds(PROACTIVE_KINDS)} AND ${WHERE}`,
            { columns: ['proactive'] },
          ),
          new InfluxQL(
            `SELECT count(${id}) AS "all raised" FROM ${alerts} WHERE ${action('raised')} AND ${WHERE}`,
            {
              columns: ['all raised'],
            },
          ),
        ],
      ).unit('short'),
    )
    .withPanel(
      heart('♥ Patience: response times', 'Raise → accept, median and 90th percentile, all priorities.', [
        new InfluxQL(
          `SELECT median(${alerts.field('accept_s')}) AS "median accept", percentile(${alerts.field('accept_s')}, 90) AS "p90 accept" FROM ${alerts} WHERE ${action('acknowledged')} AND ${WHERE}`,
          { columns: ['median accept', 'p90 accept'] },
        ),
      ]).unit('s'),
    )
    .withPanel(
      heart(
        '♥ Carefulness: signs of missed or misrouted alerts',
        'Not a classification (the gateway does not label an alert missed, duplicate or misrouted yet): a resident who had to raise again (repeated), a responder who declined, an escalation because nobody accepted in time. Target ≤ 0.1% of alerts.',
        [
          new InfluxQL(
            `SELECT count(${id}) FROM ${alerts} WHERE ${actions(['repeated', 'declined', 'escalated'])} AND ${WHERE} GROUP BY ${byAction}`,
            { columns: ['count'], tags: ['action'] },
          ).alias('$tag_action'),
        ],
      ),
    )
    .withPanel(
      heart(
        '♥ Responsibility: owned and closed',
        'Alerts raised, accepted by a responder (owned), and closed (resolved or cancelled); the target is 100% closed with an outcome.',
        [
          new InfluxQL(
            `SELECT count(${id}) FROM ${alerts} WHERE ${actions(['raised', 'acknowledged', ...CLOSED])} AND ${WHERE} GROUP BY ${byAction}`,
            { columns: ['count'], tags: ['action'] },
          ).alias('$tag_action'),
        ],
      ),
    )
    .withPanel(
      heart(
        '♥ Confidence: Happy Index',
        'Mean face score of the kiosk taps (very happy 4, happy 3, unhappy 2, very unhappy 1; button mashing filtered out on the gateway), with the taps counted.',
        [
          new InfluxQL(
            `SELECT mean(${score}) AS "Happy Index", count(${score}) AS "taps" FROM ${feedback} WHERE ${FEEDBACK_WHERE}`,
            { columns: ['Happy Index', 'taps'] },
          ),
        ],
      ).thresholds(steps('red', [2.5, 'yellow'], [3, 'green'])),
    )
    .withPanel(
      new TimeSeries()
        .title('Happy Index per kiosk, by hour')
        .description(
          'Mean face score per kiosk and hour: a dip after meals at the dining-room kiosk shows here first. An unhappy burst (≥ 50% unhappy within 15 min, at least 4 taps) opens a supervisor follow-up on the gateway.',
        )
        .min(1)
        .max(4)
        .targets(
          refIds([
            new InfluxQL(
              `SELECT mean(${score}) AS "Happy Index" FROM ${feedback} WHERE ${FEEDBACK_WHERE} GROUP BY time(1h), ${feedback.tag('kiosk')} fill(none)`,
              { columns: ['Happy Index'], tags: ['kiosk'] },
            ).alias('$tag_kiosk'),
          ]),
        )
        .span(16)
        .height(8),
    );
}
