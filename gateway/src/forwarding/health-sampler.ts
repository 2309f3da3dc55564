import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';

/** The monitor's timer interval; it records whole intervals, so this is taken off its readings. */
const RESOLUTION_MS = 10;

/** The sum of a counter's values across its labels (0 when it is not registered). */
async function total(registry: Registry, name: string, skip?: (labels: Record<string, unknown>) => boolean) {
  const m = await registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).reduce((n, v) => (skip?.(v.labels) ? n : n + v.value), 0);
}

/**
 * Samples the gateway's own health for the `gateway_health` measurement from the metrics every
 * module already keeps, so nothing on the hot path counts twice.
 */
export class HealthSampler {
  private readonly delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private last: { at: number; accepted: number; rejected: number } | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.delay.enable();
  }

  stop(): void {
    this.delay.disable();
  }

  async sample(backlog: number) {
    const at = this.clock.now();
    const accepted = await total(
      this.registry,
      'careedge_ingest_messages_total',
      (l) => !String(l.result).startsWith('accepted'),
    );
    const rejected = await total(this.registry, 'careedge_ingest_rejections_total');
    // Absent with an external broker: its clients are not the gateway's to count.
    const clients = this.registry.getSingleMetric('careedge_mqtt_clients')
      ? await total(this.registry, 'careedge_mqtt_clients')
      : undefined;
    const prev = this.last;
    this.last = { at, accepted, rejected };
    const p99 = Math.max(0, this.delay.percentile(99) / 1e6 - RESOLUTION_MS);
    const measured = this.delay.count > 0;
    this.delay.reset();
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    return {
      at,
      fields: {
        ingest_per_s: prev && seconds > 0 ? (accepted - prev.accepted) / seconds : undefined,
        rejects: prev ? rejected - prev.rejected : undefined,
        outbox_backlog: backlog,
        event_loop_delay_ms: measured ? p99 : undefined,
        broker_clients: clients,
      },
    };
  }
}
