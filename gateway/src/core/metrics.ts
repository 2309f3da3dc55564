import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The gateway's metrics, one registry per gateway instance (no process-wide singletons). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'careedge_' });
  const reg = { registers: [registry] };
  return {
    registry,
    ingestMessages: new Counter({
      ...reg,
      name: 'careedge_ingest_messages_total',
      help: 'Messages from devices and handsets, by channel and result (accepted, rejected, duplicate, unknown-device).',
      labelNames: ['channel', 'result'] as const,
    }),
    ingestRejections: new Counter({
      ...reg,
      name: 'careedge_ingest_rejections_total',
      help: 'Rejected messages by channel and reason.',
      labelNames: ['channel', 'reason'] as const,
    }),
    sequenceGaps: new Counter({
      ...reg,
      name: 'careedge_ingest_sequence_gap_messages_total',
      help: "Messages missing according to the devices' sequence numbers.",
      labelNames: ['channel'] as const,
    }),
    mqttDenied: new Counter({
      ...reg,
      name: 'careedge_mqtt_denied_total',
      help: 'Refused MQTT connects, publishes and subscribes.',
      labelNames: ['kind'] as const,
    }),
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
    dispatchLatency: new Histogram({
      ...reg,
      name: 'careedge_alarm_dispatch_seconds',
      help: 'From receiving an alarm message to publishing its first dispatch.',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
