import { Counter, Gauge, type Registry } from 'prom-client';

/** The uplink's metrics, by stream (alerts, kpis). */
export function uplinkMetrics(registry: Registry) {
  const byStream = (name: string, help: string) =>
    new Counter({ registers: [registry], name, help, labelNames: ['stream'] as const });
  return {
    queued: byStream('careedge_uplink_queued_total', 'Messages written to the uplink queue.'),
    sent: byStream('careedge_uplink_sent_total', 'Messages the upstream broker acknowledged (PUBACK).'),
    dropped: byStream(
      'careedge_uplink_dropped_total',
      'Messages dropped: the oldest when the uplink queue was full (KPI summaries before alert changes), or one the queue could not store.',
    ),
    backlog: new Gauge({
      registers: [registry],
      name: 'careedge_uplink_queue_messages',
      help: 'Messages waiting in the uplink queue.',
    }),
    connected: new Gauge({
      registers: [registry],
      name: 'careedge_uplink_connected',
      help: '1 while connected to the upstream broker.',
    }),
  };
}
export type UplinkMetrics = ReturnType<typeof uplinkMetrics>;
