import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxStats } from './outbox-protocol.js';

/** Forwarding's metrics; the worker reports totals, these follow them. */
export function forwardingMetrics(registry: Registry) {
  const counter = (name: string, help: string) => new Counter({ registers: [registry], name, help });
  const m = {
    queued: counter('careedge_forward_points_queued_total', 'Points handed to the outbox.'),
    sent: counter('careedge_forward_points_sent_total', 'Points InfluxDB confirmed.'),
    dropped: counter(
      'careedge_forward_points_dropped_total',
      'Routine points dropped, oldest first, because the outbox was full (or could not be written), or its worker was down or far behind.',
    ),
    deadLettered: counter(
      'careedge_forward_points_dead_lettered_total',
      'Points InfluxDB refused as malformed, parked in the dead-letter table.',
    ),
    withheld: new Counter({
      registers: [registry],
      name: 'careedge_forward_points_withheld_total',
      help: 'Points not forwarded on purpose, by reason (no-consent: vitals of a resident who did not consent; out-of-range: a device time past 2262, which InfluxDB cannot store).',
      labelNames: ['reason'] as const,
    }),
    writeErrors: counter('careedge_forward_write_errors_total', 'Failed writes to InfluxDB (each retried).'),
    ackedUnstored: counter(
      'careedge_forward_acks_unstored_total',
      'Times devices were acknowledged without their points in the outbox file, after waiting 2 s for a worker that was down, or 5 s for a running one that had not stored them.',
    ),
    backlog: new Gauge({
      registers: [registry],
      name: 'careedge_forward_outbox_points',
      help: 'Points waiting in the outbox.',
    }),
    backlogBytes: new Gauge({
      registers: [registry],
      name: 'careedge_forward_outbox_bytes',
      help: 'Payload bytes waiting in the outbox.',
    }),
    breaker: new Gauge({
      registers: [registry],
      name: 'careedge_forward_breaker_open',
      help: 'Circuit breaker towards InfluxDB: 0 closed, 0.5 half-open (probing), 1 open.',
    }),
  };
  let last: OutboxStats | undefined;
  return {
    ...m,
    /** A new worker starts its totals from zero. */
    reset() {
      last = undefined;
    },
    /** Follows the worker's totals; a total going down means a new worker (restarted), from zero. */
    follow(s: OutboxStats) {
      const restarted =
        last !== undefined &&
        (s.sent < last.sent ||
          s.withheld < last.withheld ||
          s.dropped < last.dropped ||
          s.deadLettered < last.deadLettered ||
          s.writeErrors < last.writeErrors);
      const prev = restarted ? undefined : last;
      m.sent.inc(s.sent - (prev?.sent ?? 0));
      m.withheld.inc({ reason: 'no-consent' }, s.withheld - (prev?.withheld ?? 0));
      m.dropped.inc(s.dropped - (prev?.dropped ?? 0));
      m.deadLettered.inc(s.deadLettered - (prev?.deadLettered ?? 0));
      m.writeErrors.inc(s.writeErrors - (prev?.writeErrors ?? 0));
      m.backlog.set(s.backlogPoints);
      m.backlogBytes.set(s.backlogBytes);
      m.breaker.set(s.breaker === 'closed' ? 0 : s.breaker === 'open' ? 1 : 0.5);
      last = s;
    },
  };
}

export type ForwardingMetrics = ReturnType<typeof forwardingMetrics>;
