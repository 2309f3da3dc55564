import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import type { AlertCommands } from '../alerts/commands.js';
import type { AlertStore } from '../alerts/store.js';
import type { Accounts } from '../auth/accounts.js';
import type { Clock } from '../core/clock.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { SiteRegister } from '../register/site-register.js';
import {
  answerErrorsFromCatalogue,
  answerFrameworkErrors,
  BODY_LIMIT_BYTES,
  validationError,
} from './errors.js';
import { httpRefusals } from './metrics.js';
import { access, CSRF_HEADER, SESSION_COOKIE } from './plugins/access.js';
import { securityHeaders } from './plugins/security-headers.js';
import { alertRoutes } from './routes/alerts/index.js';
import { authRoutes } from './routes/auth/index.js';
import { consoleRoutes } from './routes/console/index.js';
import { docsRoutes } from './routes/docs/index.js';
import { type AlertChangeBus, eventRoutes, LiveStreams } from './routes/events/index.js';
import { feedbackRoutes, type HappyIndexReading } from './routes/feedback/index.js';
import { type HealthRoutesDeps, healthRoutes } from './routes/health/index.js';
import { type RegisterReading, registerRoutes } from './routes/register/index.js';
import { type RulesLearning, type RulesReloading, rulesRoutes } from './routes/rules/index.js';
import { requestValidation } from './validation.js';

/** What the HTTP API is given by the composition root, and no more. */
export interface HttpApiDeps {
  siteId: string;
  log: Logger;
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /** Alert changes for the console's live stream. */
  bus: AlertChangeBus;
  health: Pick<Health, 'list' | 'listWarnings'>;
  metrics: Pick<Metrics, 'registry'>;
  alertStore: Pick<
    AlertStore,
    | 'get'
    | 'getArchived'
    | 'list'
    | 'targets'
    | 'auditPage'
    | 'countOpen'
    | 'open'
    | 'auditSince'
    | 'lastAuditId'
  >;
  /** The one command path for staff actions (alerts/commands.ts), shared with handset replies. */
  commands: Pick<AlertCommands, 'execute'>;
  accounts: Pick<
    Accounts,
    'login' | 'logout' | 'session' | 'token' | 'tokens' | 'createToken' | 'revokeToken' | 'recordAdminAction'
  >;
  register: RegisterReading & Pick<SiteRegister, 'staff'>;
  rules: RulesReloading;
  ruleLearning: RulesLearning;
  /** The feedback kiosks' Happy Index (feedback/). */
  happyIndex: HappyIndexReading;
  /** The TLS certificate in use, shown on /healthz; undefined without a TLS listener. */
  tls?: HealthRoutesDeps['tls'];
}

const API_DESCRIPTION = `The CareEdge gateway's HTTP API: health, Prometheus metrics, alerts with their audit trail and the staff actions on them, the site register (read), the rules, and logins.

Log in with \`POST /api/v1/auth/login\`: the session cookie \`${SESSION_COOKIE}\` then authenticates, and every request that changes something also sends the session's \`${CSRF_HEADER}\` (from the login answer or \`/api/v1/auth/me\`). Machine clients send \`Authorization: Bearer cet_…\` instead (an admin creates the token: \`careedge-gateway token create\` or \`POST /api/v1/auth/tokens\`). Roles: staff act on alerts, supervisors also reassign, admins also reload the rules and manage tokens. \`/healthz\` and \`/metrics\` answer without a login, for monitoring.

Every error answer is \`{"error": {"code", "message"}}\` with a code of the gateway's one error catalogue (docs/wire-protocol.md), which also gives the HTTP status.`;

/**
 * The HTTP API as fastify plugins, as fastify/demo grows one: the shared plugins first (security
 * headers, the access guard), then one folder of routes per resource, every route with request
 * and response schemas that @fastify/swagger turns into the OpenAPI document (docs/openapi.json)
 * and an access declaration the guard enforces. Built apart from listen() so tests drive it with
 * inject().
 */
export function buildHttpApi(deps: HttpApiDeps) {
  // As fastify's own logger type, so the app's type does not carry pino's generics.
  const log: FastifyBaseLogger = deps.log.child({ module: 'http' });
  const countRefusal = httpRefusals(deps.metrics.registry);
  const app = Fastify({
    loggerInstance: log,
    // Request logs would drown the alarm log on a Pi; errors are still logged (api/errors.ts).
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: answerFrameworkErrors(countRefusal),
    bodyLimit: BODY_LIMIT_BYTES,
    schemaErrorFormatter: validationError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(requestValidation());

  answerErrorsFromCatalogue(app, countRefusal);
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'CareEdge gateway HTTP API', version: '1', description: API_DESCRIPTION },
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'The console session.',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'A machine token (`cet_…`).' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
      tags: [
        { name: 'health', description: 'Liveness and metrics (no login)' },
        { name: 'auth', description: 'Login, logout, who am I; machine tokens' },
        { name: 'alerts', description: 'Alerts with their audit trail, and acting on them' },
        { name: 'register', description: 'The site register (read)' },
        {
          name: 'rules',
          description: "The rules file in force, its reload, and the baseline rules' learning",
        },
        { name: 'feedback', description: "The feedback kiosks' Happy Index" },
      ],
    },
  });
  void app.register(securityHeaders);
  void app.register(access, { accounts: deps.accounts });
  const streams = new LiveStreams();
  // A logout ends that session's live streams at once (a root hook: the logout route is auth's).
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.url === '/api/v1/auth/logout' && reply.statusCode < 300 && req.sessionId)
      streams.endSession(req.sessionId);
  });
  void app.register(healthRoutes, {
    siteId: deps.siteId,
    health: deps.health,
    metrics: deps.metrics,
    openAlerts: () => deps.alertStore.countOpen(),
    now: () => deps.clock.now(),
    ...(deps.tls ? { tls: deps.tls } : {}),
  });
  void app.register(authRoutes, { accounts: deps.accounts, register: deps.register });
  void app.register(alertRoutes, { alertStore: deps.alertStore, commands: deps.commands });
  void app.register(eventRoutes, {
    bus: deps.bus,
    alertStore: deps.alertStore,
    accounts: deps.accounts,
    clock: deps.clock,
    metrics: deps.metrics,
    streams,
  });
  void app.register(registerRoutes, { register: deps.register });
  void app.register(rulesRoutes, { rules: deps.rules, learning: deps.ruleLearning, audit: deps.accounts });
  void app.register(feedbackRoutes, { happyIndex: deps.happyIndex });
  void app.register(consoleRoutes);
  void app.register(docsRoutes);
  return app;
}
