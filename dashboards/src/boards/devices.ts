import { PanelBuilder as BarGauge } from '@grafana/grafana-foundation-sdk/bargauge';
import { VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StateTimeline } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { InfluxQL, refIds } from '../influxql.js';
import { careedgeBoard, stat, steps } from '../panels.js';
import { devices } from '../schema.js';

const WHERE = `${devices.place} AND $timeFilter`;
const device = devices.tag('device');

/** Devices whose latest `field` reading is false (offline, not worn), counted. */
const countLatestFalse = (field: 'online' | 'worn', as: string) =>
  new InfluxQL(
    `SELECT count("${field}") AS "${as}" FROM (SELECT last(${devices.field(field)}) AS "${field}" FROM ${devices} WHERE ${WHERE} GROUP BY ${device}) WHERE "${field}" = false`,
    { columns: [as] },
  );

const timeline = (field: 'online' | 'worn', title: string) =>
  new StateTimeline()
    .title(title)
    .targets(
      refIds([
        new InfluxQL(
          `SELECT last(${devices.field(field)}) AS "${field}" FROM ${devices} WHERE ${WHERE} GROUP BY time($__interval), ${device} fill(previous)`,
          { columns: [field], tags: ['device'] },
        ).alias('$tag_device'),
      ]),
    )
    .span(12)
    .height(10);

/** Battery, online, signal and skin contact of every device, by pseudonymous device key. */
export function devicesBoard(): DashboardBuilder {
  return careedgeBoard(
    'devices',
    'CareEdge · Devices',
    'Battery, offline, signal and not-worn wristbands: trouble found before it matters.',
  )
    .withPanel(
      stat()
        .title('Offline now')
        .description('Devices whose last status in the time range says offline (MQTT last will).')
        .targets(refIds([countLatestFalse('online', 'offline')]))
        .noValue('0')
        .thresholds(steps('green', [1, 'red']))
        .span(6)
        .height(5),
    )
    .withPanel(
      stat()
        .title('Wristbands not worn')
        .description('Wristbands whose last reading in the time range had no skin contact.')
        .targets(refIds([countLatestFalse('worn', 'not worn')]))
        .noValue('0')
        .thresholds(steps('green', [1, 'yellow']))
        .span(6)
        .height(5),
    )
    .withPanel(
      new BarGauge()
        .title('Battery per device')
        .unit('percent')
        .min(0)
        .max(100)
        .orientation(VizOrientation.Horizontal)
        .thresholds(steps('red', [20, 'yellow'], [40, 'green']))
        .targets(
          refIds([
            new InfluxQL(
              `SELECT last(${devices.field('battery_pct')}) AS "battery" FROM ${devices} WHERE ${WHERE} GROUP BY ${device}, ${devices.tag('device_kind')}`,
              { columns: ['battery'], tags: ['device', 'device_kind'] },
            ).alias('$tag_device_kind $tag_device'),
          ]),
        )
        .span(12)
        .height(10),
    )
    .withPanel(timeline('online', 'Online'))
    .withPanel(timeline('worn', 'Worn (skin contact)'))
    .withPanel(
      new TimeSeries()
        .title('Signal strength at the device')
        .unit('dBm')
        .targets(
          refIds([
            new InfluxQL(
              `SELECT mean(${devices.field('rssi_dbm')}) AS "rssi" FROM ${devices} WHERE ${WHERE} GROUP BY time($__interval), ${device} fill(none)`,
              { columns: ['rssi'], tags: ['device'] },
            ).alias('$tag_device'),
          ]),
        )
        .thresholds(steps('red', [-85, 'yellow'], [-75, 'green']))
        .span(24)
        .height(8),
    );
}
