import type { ErrorCode } from '@careedge/edge';
import { Counter, type Registry } from 'prom-client';

const NAME = 'careedge_http_refused_total';

/**
 * Requests the API refused, by error code (unauthenticated, csrf, invalid-request, …): a burst of
 * `unauthenticated` or `login-locked` is someone guessing. One counter per registry, however many
 * apps are built on it (tests build several).
 */
export function httpRefusals(registry: Registry): (code: ErrorCode) => void {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<'code'> | undefined) ??
    new Counter({
      name: NAME,
      help: 'HTTP requests answered with an error of the catalogue, by its code.',
      labelNames: ['code'],
      registers: [registry],
    });
  return (code) => counter.inc({ code });
}
