import { BigValueGraphMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { TextMode, PanelBuilder as TextPanel } from '@grafana/grafana-foundation-sdk/text';
import { DATASOURCE } from './influxql.js';
import { devices, health } from './schema.js';

/** Every CareEdge dashboard: uid, title, tags, the last day, the site and zone variables. */
export function careedgeBoard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(`careedge-${uid}`)
    .description(description)
    .tags(['careedge'])
    .time({ from: 'now-24h', to: 'now' })
    .timezone('browser')
    .refresh('1m')
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .withVariable(
      tagVariable('site', 'Site', `SHOW TAG VALUES FROM ${health} WITH KEY = ${health.tag('site')}`),
    )
    .withVariable(
      tagVariable(
        'zone',
        'Zone',
        `SHOW TAG VALUES FROM ${devices} WITH KEY = ${devices.tag('zone')} WHERE ${devices.tag('site')} =~ /^$site$/`,
      ),
    );
}

/** A tag's values as a variable; "All" is `.*`, matched with `=~ /^$var$/` in the queries. */
export function tagVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

/** Thresholds from a base colour and [from, colour] steps. */
export function steps(base: string, ...more: [number, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...more.map(([value, color]) => ({ value, color }))]);
}

/** A panel that says in words what is shown or what is missing; no query. */
export function note(title: string, markdown: string, w = 24, h = 4): TextPanel {
  return new TextPanel().title(title).mode(TextMode.Markdown).content(markdown).span(w).height(h);
}

/** A stat panel showing each series' last value (its queries aggregate over the whole range). */
export const stat = (): StatPanel =>
  new StatPanel()
    .graphMode(BigValueGraphMode.None)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
