import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import type { Clock } from '../core/clock.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { alertRoutes } from './alerts.js';
import { answerErrorsFromCatalogue, answerFrameworkErrors, validationError } from './errors.js';
import { feedbackRoutes, type HappyIndexReading } from './feedback.js';
import { type HealthRoutesDeps, healthRoutes } from './health.js';
import { type RulesLearning, type RulesReloading, rulesRoutes } from './rules.js';

/** What the HTTP API is given by the composition root, and no more. */
export interface HttpApiDeps {
  siteId: string;
  log: Logger;
  clock: Pick<Clock, 'now'>;
  health: Pick<Health, 'list' | 'listWarnings'>;
  metrics: Pick<Metrics, 'registry'>;
  alerts: Pick<AlertService, 'open'>;
  alertStore: Pick<AlertStore, 'get' | 'getArchived' | 'recent' | 'targets' | 'auditPage' | 'countOpen'>;
  rules: RulesReloading;
  ruleLearning: RulesLearning;
  /** The feedback kiosks' Happy Index (feedback/). */
  happyIndex: HappyIndexReading;
  /** The TLS certificate in use, shown on /healthz; undefined without a TLS listener. */
  tls?: HealthRoutesDeps['tls'];
}

const API_DESCRIPTION = `The CareEdge gateway's HTTP API: health, Prometheus metrics and read access to alerts with their targets and audit trail.

It has no login yet, so nothing here can change an alert; its one write reloads the rules file from disk (\`POST /api/v1/rules\`), which applies nothing the file does not already say. Staff act on alerts from their handsets (MQTT, see edge/asyncapi.yaml); the same commands come to HTTP with the staff console and its login. Keep the port on the site network.

Every error answer is \`{"error": {"code", "message"}}\` with a code of the gateway's one error catalogue (docs/wire-protocol.md), which also gives the HTTP status.`;

/**
 * The HTTP API as fastify plugins (errors, health, alerts), every route with request and response
 * schemas that @fastify/swagger turns into the OpenAPI document (docs/openapi.json). Built apart
 * from listen() so tests drive it with inject().
 */
export function buildHttpApi(deps: HttpApiDeps) {
  // As fastify's own logger type, so the app's type does not carry pino's generics.
  const log: FastifyBaseLogger = deps.log.child({ module: 'http' });
  const app = Fastify({
    loggerInstance: log,
    // Request logs would drown the alarm log on a Pi; errors are still logged (api/errors.ts).
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: answerFrameworkErrors,
    // Errors carry the value and the schema, so a message can say what it got (errors.ts).
    ajv: { customOptions: { verbose: true } },
    schemaErrorFormatter: validationError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  answerErrorsFromCatalogue(app);
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'CareEdge gateway HTTP API', version: '1', description: API_DESCRIPTION },
      tags: [
        { name: 'health', description: 'Liveness and metrics' },
        { name: 'alerts', description: 'Alerts with their audit trail (read-only)' },
        {
          name: 'rules',
          description: "The rules file in force, its reload, and the baseline rules' learning",
        },
        { name: 'feedback', description: "The feedback kiosks' Happy Index" },
      ],
    },
  });
  void app.register(healthRoutes, {
    siteId: deps.siteId,
    health: deps.health,
    metrics: deps.metrics,
    openAlerts: () => deps.alertStore.countOpen(),
    now: () => deps.clock.now(),
    ...(deps.tls ? { tls: deps.tls } : {}),
  });
  void app.register(alertRoutes, { alerts: deps.alerts, alertStore: deps.alertStore });
  void app.register(rulesRoutes, { rules: deps.rules, learning: deps.ruleLearning });
  void app.register(feedbackRoutes, { happyIndex: deps.happyIndex });
  return app;
}
