import { Counter, Gauge, type Registry } from 'prom-client';

/** The webhook channel's metrics. */
export function webhookMetrics(registry: Registry) {
  return {
    queued: new Counter({
      registers: [registry],
      name: 'careedge_webhook_queued_total',
      help: 'Deliveries written to the webhook table.',
    }),
    refused: new Counter({
      registers: [registry],
      name: 'careedge_webhook_refused_total',
      help: 'Deliveries refused, by reason: disabled (the webhook is off), full (every row of the table still pending), storage (the table could not be written), invalid (an event name or body that cannot be sent).',
      labelNames: ['reason'] as const,
    }),
    attempts: new Counter({
      registers: [registry],
      name: 'careedge_webhook_attempts_total',
      help: 'Attempts, by outcome: sent (2xx), failed (to be tried again), dead (given up).',
      labelNames: ['outcome'] as const,
    }),
    pruned: new Counter({
      registers: [registry],
      name: 'careedge_webhook_pruned_total',
      help: 'Delivered or dead deliveries removed from the full webhook table to make room.',
    }),
    pending: new Gauge({
      registers: [registry],
      name: 'careedge_webhook_pending',
      help: 'Deliveries waiting to be sent or tried again.',
    }),
    deadLetters: new Gauge({
      registers: [registry],
      name: 'careedge_webhook_dead_letters',
      help: 'Dead letters kept in the webhook table (given up, with their last error).',
    }),
  };
}
export type WebhookMetrics = ReturnType<typeof webhookMetrics>;
