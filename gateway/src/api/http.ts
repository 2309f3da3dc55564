import { Type } from '@sinclair/typebox';
import Fastify, { LogController } from 'fastify';
import { AlertError } from '../alerts/errors.js';
import type { HttpApiDeps } from './deps.js';

const AlertParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const AlertListQuery = Type.Object({
  state: Type.Union([Type.Literal('open'), Type.Literal('recent')], { default: 'open' }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});

/** HTTP catalogue of errors: code → status. */
const STATUS: Record<string, number> = { 'alert-not-found': 404 };

/**
 * The HTTP API: health, Prometheus metrics and read access to alerts with their audit trail.
 * Built separately from listen() so tests drive it with inject().
 */
export function buildHttpApi(ctx: HttpApiDeps) {
  const app = Fastify({
    loggerInstance: ctx.log.child({ module: 'http' }),
    // Request logs would drown the alarm log on a Pi; errors are still logged below.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof AlertError) {
      return reply.status(STATUS[err.code] ?? 409).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { statusCode?: number; validation?: unknown; message: string };
    const status = e.statusCode ?? 500;
    const code = e.validation ? 'invalid-request' : status === 404 ? 'not-found' : 'internal-error';
    if (status >= 500) ctx.log.error({ err }, 'HTTP request failed');
    return reply.status(status).send({ error: { code, message: e.message } });
  });

  // 503 while degraded, so a watchdog or monitoring probe notices without parsing the body.
  app.get('/healthz', async (_req, reply) => {
    const problems = ctx.health.list();
    const body = {
      status: problems.length > 0 ? 'degraded' : 'ok',
      site: ctx.siteId,
      openAlerts: ctx.alerts.open().length,
      ...(problems.length > 0 ? { problems } : {}),
    };
    return reply.status(problems.length > 0 ? 503 : 200).send(body);
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get('/api/v1/alerts', { schema: { querystring: AlertListQuery } }, async (req) => {
    const { state, limit } = req.query as { state: 'open' | 'recent'; limit: number };
    return { alerts: state === 'open' ? ctx.alerts.open().slice(0, limit) : ctx.alertStore.recent(limit) };
  });

  app.get('/api/v1/alerts/:id', { schema: { params: AlertParams } }, async (req) => {
    const { id } = req.params as { id: number };
    // Closed alerts older than alerts.archiveAfterDays live in the archive; same answer for them.
    const archived = ctx.alertStore.get(id) ? undefined : ctx.alertStore.getArchived(id);
    if (archived) return { ...archived, audit: ctx.alertStore.audit(id) };
    const alert = ctx.alerts.get(id);
    return { alert, targets: ctx.alertStore.targets(id), audit: ctx.alertStore.audit(id) };
  });

  return app;
}
