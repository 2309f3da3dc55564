import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The gateway's metrics registry, one per gateway instance (no process-wide singletons). Each
 * feature registers its own metrics on it, in its folder.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'careedge_' });
  return { registry };
}

export type Metrics = ReturnType<typeof createMetrics>;
