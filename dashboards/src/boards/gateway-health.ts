import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import type { FieldOf } from '../../../gateway/src/forwarding/measurements.js';
import { InfluxQL, refIds } from '../influxql.js';
import { careedgeBoard, steps } from '../panels.js';
import { health } from '../schema.js';

const WHERE = `${health.place} AND $timeFilter`;

const sampled = (
  field: FieldOf<'gateway_health'>,
  fn: 'mean' | 'max' | 'min' | 'sum',
  title: string,
  unit: string,
  description: string,
) =>
  new TimeSeries()
    .title(title)
    .description(description)
    .unit(unit)
    .targets(
      refIds([
        new InfluxQL(
          `SELECT ${fn}(${health.field(field)}) AS "${field}" FROM ${health} WHERE ${WHERE} GROUP BY time($__interval) fill(null)`,
          { columns: [field] },
        ),
      ]),
    )
    .span(12)
    .height(8);

/**
 * The gateway itself: what it takes in, what it refuses, what waits for InfluxDB, its event loop,
 * and how many devices and handsets are connected (a drop is an access point or a power cut).
 */
export function gatewayHealth(): DashboardBuilder {
  return careedgeBoard(
    'gateway-health',
    'CareEdge · Gateway health',
    'Ingest, rejects, outbox backlog, event loop, connected devices and handsets.',
  )
    .withPanel(
      sampled(
        'ingest_per_s',
        'mean',
        'Device messages accepted',
        'reqps',
        'Messages a second, mean per interval.',
      ),
    )
    .withPanel(
      sampled(
        'rejects',
        'sum',
        'Device messages rejected',
        'short',
        'Rejected (invalid, unknown device, …) per interval.',
      ),
    )
    .withPanel(
      sampled(
        'outbox_backlog',
        'max',
        'Outbox backlog',
        'short',
        'Points waiting for InfluxDB: grows while InfluxDB is unreachable, drains after.',
      ),
    )
    .withPanel(
      sampled(
        'event_loop_delay_ms',
        'max',
        'Event-loop delay (p99)',
        'ms',
        'How long an alarm could wait for the gateway’s event loop; worst sample per interval.',
      ).thresholds(steps('green', [50, 'yellow'], [200, 'red'])),
    )
    .withPanel(
      sampled(
        'broker_clients',
        'min',
        'Connected devices and handsets',
        'short',
        'MQTT clients connected to the gateway; the lowest sample per interval, so a short drop shows.',
      ),
    );
}
