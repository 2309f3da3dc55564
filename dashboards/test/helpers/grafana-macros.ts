import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { InfluxQLTarget } from '../../src/influxql.js';

/** Every query panel of a dashboard, those inside rows included. */
export function queryPanels(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p: Panel | RowPanel) =>
    p.type === 'row' ? ((p as RowPanel).panels ?? []) : [p as Panel],
  );
}

export interface MacroValues {
  from: number;
  to: number;
  interval: string;
  /** Template variables by name, already in the form the query needs (a regex for tag filters). */
  vars: Record<string, string>;
}

/**
 * A query as Grafana's InfluxDB datasource sends it (InfluxQL mode): `$timeFilter` is
 * `time >= {from}ms and time <= {to}ms`, `$__interval` the interval it chose, `$name` a variable.
 * Throws on any `$` left over: a variable the dashboard does not define.
 */
export function substitute(query: string, v: MacroValues): string {
  let q = query
    .replaceAll('$timeFilter', `time >= ${v.from}ms and time <= ${v.to}ms`)
    .replaceAll('$__interval', v.interval);
  // Longest names first: $shift_start before $shift.
  for (const name of Object.keys(v.vars).sort((a, b) => b.length - a.length))
    q = q.replaceAll(`$${name}`, v.vars[name]!);
  // `/^…$/` ends a regex; anything else after a `$` is a variable nobody substituted.
  const left = q.replaceAll('$/', '');
  if (left.includes('$')) throw new Error(`unsubstituted variable in: ${q}`);
  return q;
}

export const targetsOf = (p: Panel) => (p.targets ?? []) as InfluxQLTarget[];
