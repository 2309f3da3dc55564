import type { AlertKind } from '@careedge/edge';
import type { AlertAction } from '../../gateway/src/alerts/events.js';
import {
  type FieldOf,
  MEASUREMENTS,
  type MeasurementName,
  type TagOf,
} from '../../gateway/src/forwarding/measurements.js';

// The place tags, typed against the schema: every measurement has a site, most a zone.
const SITE_TAG: TagOf<'gateway_health'> = 'site';
const ZONE_TAG: TagOf<'alert_event'> = 'zone';

/**
 * The measurement schema the gateway writes (gateway/src/forwarding/measurements.ts), as InfluxQL
 * identifiers: a panel names a measurement, tag or field only through these, so a renamed field
 * fails the type check here instead of leaving an empty panel in Grafana.
 */
export class Series<M extends MeasurementName> {
  constructor(readonly name: M) {}

  /** The quoted measurement, for FROM. */
  toString(): string {
    return `"${this.name}"`;
  }

  tag(t: TagOf<M>): string {
    return `"${t}"`;
  }

  field(f: FieldOf<M>): string {
    return `"${f}"`;
  }

  /**
   * The dashboard's place filter: the `$site` variable, and `$zone` where the measurement has a
   * zone tag. Regex matches, so the variables' "All" (`.*`) keeps every series.
   */
  get place(): string {
    const tags: Readonly<Record<string, string>> = MEASUREMENTS[this.name].tags;
    const site = `"${SITE_TAG}" =~ /^$site$/`;
    return ZONE_TAG in tags ? `${site} AND "${ZONE_TAG}" =~ /^$zone$/` : site;
  }
}

export const vitals = new Series('wristband_vitals');
export const devices = new Series('device_status');
export const alerts = new Series('alert_event');
export const workload = new Series('staff_workload');
export const health = new Series('gateway_health');
export const feedback = new Series('feedback');

/** `"tag" = 'value'` for an alert's action. */
export const action = (a: AlertAction) => `${alerts.tag('action')} = '${a}'`;
/** `"tag" =~ /^(a|b)$/` for alert actions. */
export const actions = (as: readonly AlertAction[]) => `${alerts.tag('action')} =~ /^(${as.join('|')})$/`;
export const kinds = (ks: readonly AlertKind[]) => `${alerts.tag('kind')} =~ /^(${ks.join('|')})$/`;

/**
 * Alerts the gateway raised on its own, before anyone pressed a button (the "love" heart:
 * anticipate): a fall the band detected, a device that went silent, and what the anomaly rules
 * saw in a resident's vitals and daily rhythm or in a band's care. Not `unclassified` (input no
 * rule could place) nor `alert-summary` (a storm's list of other alerts).
 */
export const PROACTIVE_KINDS = [
  'fall',
  'device-offline',
  'vital-sign',
  'inactivity',
  'not-up',
  'night-wandering',
  'battery-low',
  'not-worn',
] as const satisfies readonly AlertKind[];
/** An alert that is over: resolved with an outcome, or cancelled. */
export const CLOSED = ['resolved', 'cancelled'] as const satisfies readonly AlertAction[];
