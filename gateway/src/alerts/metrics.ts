import { Counter, Gauge, type Registry } from 'prom-client';

/** What the alert service counts, on the gateway's registry. */
export function alertMetrics(registry: Registry) {
  const reg = { registers: [registry] };
  return {
    alertsRaised: new Counter({
      ...reg,
      name: 'careedge_alerts_raised_total',
      help: 'Alerts raised, by kind and priority.',
      labelNames: ['kind', 'priority'] as const,
    }),
    alertActions: new Counter({
      ...reg,
      name: 'careedge_alert_actions_total',
      help: 'Alert lifecycle actions (dispatch, escalate, acknowledge, …).',
      labelNames: ['action'] as const,
    }),
    openAlerts: new Gauge({
      ...reg,
      name: 'careedge_alerts_open',
      help: 'Alerts not yet resolved or cancelled.',
    }),
  };
}

export type AlertMetrics = ReturnType<typeof alertMetrics>;
