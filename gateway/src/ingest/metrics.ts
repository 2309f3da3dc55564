import { Counter, Histogram, type Registry } from 'prom-client';

/** What ingest counts, on the gateway's registry. */
export function ingestMetrics(registry: Registry) {
  const reg = { registers: [registry] };
  return {
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
    eventProcessing: new Histogram({
      ...reg,
      name: 'careedge_event_processing_seconds',
      help: 'From a validated device event to its alert committed to SQLite and dispatch published (real time).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
