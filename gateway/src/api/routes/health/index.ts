import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { Health, Problem } from '../../../core/health.js';
import type { Metrics } from '../../../core/metrics.js';
import { ERROR_RESPONSES, HealthBody, type TlsBody } from '../../schemas.js';

export interface HealthRoutesDeps {
  siteId: string;
  health: Pick<Health, 'list' | 'listWarnings'>;
  metrics: Pick<Metrics, 'registry'>;
  openAlerts: () => number;
  now: () => number;
  /** The TLS certificate in use, when a TLS listener is on. */
  tls?: Static<typeof TlsBody>;
}

/** Liveness for watchdogs and monitoring, and the Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesDeps> = async (app, deps) => {
  // 503 while degraded, so a watchdog or monitoring probe notices without parsing the body.
  app.get(
    '/healthz',
    {
      // Open for watchdogs and monitoring (docs/design/console.md).
      config: { access: 'anyone' },
      schema: {
        security: [],
        summary: 'Is the gateway well?',
        description:
          '200 when well; 503 while degraded (storage or clock), with the problems; also when the alerts cannot be read. Warnings (forwarding to InfluxDB) are listed without making it degraded.',
        tags: ['health'],
        response: { 200: HealthBody, 503: HealthBody, 500: ERROR_RESPONSES[500] },
      },
    },
    async (req, reply) => {
      const problems: Problem[] = deps.health.list();
      // Counting is a SQLite read; a failing card must still get its answer, not a 500.
      let openAlerts: number | undefined;
      try {
        openAlerts = deps.openAlerts();
      } catch (err) {
        req.log.error({ err }, 'healthz: the open alerts cannot be read');
        if (!problems.some((p) => p.problem === 'storage')) {
          const reason = `the alerts cannot be read (${(err as Error).message})`;
          problems.push({ problem: 'storage', reason, since: deps.now() });
        }
      }
      const degraded = problems.length > 0;
      const warnings = deps.health.listWarnings();
      return reply.status(degraded ? 503 : 200).send({
        status: degraded ? 'degraded' : 'ok',
        site: deps.siteId,
        ...(openAlerts === undefined ? {} : { openAlerts }),
        ...(deps.tls ? { tls: deps.tls } : {}),
        ...(degraded ? { problems } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
      });
    },
  );

  const { contentType } = deps.metrics.registry;
  app.get(
    '/metrics',
    {
      config: { access: 'anyone' },
      schema: {
        security: [],
        summary: 'Prometheus metrics',
        tags: ['health'],
        response: {
          200: {
            description: 'Prometheus text exposition format.',
            content: { [contentType]: { schema: Type.String() } },
          },
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async (_req, reply) => reply.type(contentType).send(await deps.metrics.registry.metrics()),
  );
};
