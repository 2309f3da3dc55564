import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Health } from '../core/health.js';
import type { Metrics } from '../core/metrics.js';
import { ERROR_RESPONSES, HealthBody } from './schemas.js';

export interface HealthRoutesDeps {
  siteId: string;
  health: Pick<Health, 'list'>;
  metrics: Pick<Metrics, 'registry'>;
  openAlerts: () => number;
}

/** Liveness for watchdogs and monitoring, and the Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesDeps> = async (app, deps) => {
  // 503 while degraded, so a watchdog or monitoring probe notices without parsing the body.
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Is the gateway well?',
        description: '200 when well; 503 while degraded (storage or clock), with the problems.',
        tags: ['health'],
        response: { 200: HealthBody, 503: HealthBody, 500: ERROR_RESPONSES[500] },
      },
    },
    async (_req, reply) => {
      const problems = deps.health.list();
      const degraded = problems.length > 0;
      return reply.status(degraded ? 503 : 200).send({
        status: degraded ? 'degraded' : 'ok',
        site: deps.siteId,
        openAlerts: deps.openAlerts(),
        ...(degraded ? { problems } : {}),
      });
    },
  );

  const { contentType } = deps.metrics.registry;
  app.get(
    '/metrics',
    {
      schema: {
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
