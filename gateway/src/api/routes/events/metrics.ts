import { Counter, Gauge, type Registry } from 'prom-client';

/** The console's live streams: how many are open, refused at the cap, cut as stalled, and resynchronised. One set per registry. */
export function eventStreamMetrics(registry: Registry) {
  const get = <T>(name: string, make: () => T): T =>
    (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    open: get(
      'careedge_http_event_streams',
      () =>
        new Gauge({
          name: 'careedge_http_event_streams',
          help: 'Live event streams (GET /api/v1/events) open now.',
          registers: [registry],
        }),
    ),
    refused: get(
      'careedge_http_event_streams_refused_total',
      () =>
        new Counter({
          name: 'careedge_http_event_streams_refused_total',
          help: 'Live event streams refused because as many as allowed were open.',
          registers: [registry],
        }),
    ),
    stalled: get(
      'careedge_http_event_streams_stalled_total',
      () =>
        new Counter({
          name: 'careedge_http_event_streams_stalled_total',
          help: 'Live event streams cut because their client stopped reading and the unsent backlog passed the bound.',
          registers: [registry],
        }),
    ),
    resyncs: get(
      'careedge_http_event_stream_resyncs_total',
      () =>
        new Counter({
          name: 'careedge_http_event_stream_resyncs_total',
          help: 'Reconnects that had missed too many changes and got a fresh snapshot instead.',
          registers: [registry],
        }),
    ),
  };
}
