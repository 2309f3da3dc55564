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
    healthProblem: new Gauge({
      ...reg,
      name: 'careedge_health_problem',
      help: 'Whether the gateway is degraded by a problem (1) or not (0), per problem (storage, clock).',
      labelNames: ['problem'] as const,
    }),
    clockJumps: new Counter({
      ...reg,
      name: 'careedge_clock_jumps_total',
      help: 'Wall-clock jumps seen at run time (the clock moved apart from monotonic time), by direction.',
      labelNames: ['direction'] as const,
    }),
    unrecordedAlarms: new Counter({
      ...reg,
      name: 'careedge_unrecorded_alarms_total',
      help: 'Alarms that could not be stored and were dispatched from memory.',
    }),
    eventProcessing: new Histogram({
      ...reg,
      name: 'careedge_event_processing_seconds',
      help: 'From a validated device event to its alert committed to SQLite and dispatch published (real time).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
