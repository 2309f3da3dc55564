import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlertService } from './alerts/service.js';
import { AlertStore } from './alerts/store.js';
import { buildHttpApi } from './api/http.js';
import { startEmbeddedBroker } from './broker/index.js';
import type { GatewayConfig } from './config/schema.js';
import { EventBus } from './core/bus.js';
import { type Clock, systemClock } from './core/clock.js';
import type { GatewayContext, GatewayModule } from './core/context.js';
import { openDatabase } from './core/db.js';
import type { GatewayEvents } from './core/events.js';
import { createLogger, type Logger } from './core/logger.js';
import { createMetrics } from './core/metrics.js';
import { RateLimitedLog } from './core/rate-limited-log.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { HandsetReplies } from './dispatch/replies.js';
import { Ingest } from './ingest/ingest.js';
import { MqttLink } from './mqtt/link.js';
import { ReassuranceModule } from './reassure/reassurance.js';
import { openRegister } from './register/register.js';
import { CallRules } from './rules/call-rules.js';

export const EXAMPLE_SITE = fileURLToPath(new URL('../sites/example.yaml', import.meta.url));
export const VERSION = '0.1.0';

export interface StartOptions {
  config: GatewayConfig;
  clock?: Clock;
  logger?: Logger;
}

export interface RunningGateway {
  siteId: string;
  mqttPort: number;
  httpPort: number;
  context: GatewayContext;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the core services (SQLite, register, broker, MQTT link, alert
 * service, bus) and starts the feature modules in data-path order. Every one of them is on the
 * alarm path, so a module that fails to start stops the gateway with a clear error rather than
 * leaving it half-working.
 */
export async function startGateway(opts: StartOptions): Promise<RunningGateway> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.log.level);
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        log.error({ err }, 'error while stopping');
      }
    }
  };

  try {
    const siteFile = config.siteFile || EXAMPLE_SITE;
    if (!config.siteFile)
      log.warn({ siteFile }, 'no site file configured: using the example site (set siteFile / --site)');
    const dbFile = join(config.dataDir, 'careedge.sqlite');
    const db = openDatabase(dbFile);
    cleanups.push(() => {
      db.close();
    });
    const register = openRegister(db, siteFile);
    const siteId = register.site.id;
    log.info({ site: siteId, siteFile, database: dbFile }, 'site register loaded');

    const metrics = createMetrics();
    let url = config.mqtt.url;
    let password = config.mqtt.password;
    let mqttPort = 0;
    if (!url) {
      password = randomBytes(24).toString('base64url');
      const denials = new RateLimitedLog(log, clock, config.log.rejectLogIntervalS * 1000);
      const broker = await startEmbeddedBroker({
        host: config.mqtt.host,
        port: config.mqtt.port,
        siteId,
        gatewaySecret: password,
        authenticate: (u, p) => register.authenticate(u, p),
        onDenied: (e) => {
          metrics.mqttDenied.inc({ kind: e.kind });
          denials.warn(`${e.kind}/${e.username ?? e.clientId}`, { ...e }, 'MQTT request refused');
        },
      });
      cleanups.push(() => broker.close());
      mqttPort = broker.port;
      const host =
        config.mqtt.host === '0.0.0.0' || config.mqtt.host === '::' ? '127.0.0.1' : config.mqtt.host;
      url = `mqtt://${host}:${mqttPort}`;
      log.info({ port: mqttPort }, 'embedded MQTT broker listening');
    }
    const mqtt = await MqttLink.connect({
      url,
      username: config.mqtt.url ? config.mqtt.username : 'gateway',
      password,
      siteId,
      clock,
      log,
      version: VERSION,
      persistentSession: Boolean(config.mqtt.url),
    });
    cleanups.push(() => mqtt.close());

    const bus = new EventBus<GatewayEvents>(log);
    const alertStore = new AlertStore(db);
    const alerts = new AlertService(alertStore, register, bus, clock, metrics);
    const ctx: GatewayContext = {
      config,
      siteId,
      clock,
      log,
      metrics,
      bus,
      db,
      register,
      mqtt,
      alertStore,
      alerts,
    };

    const dispatcher = new Dispatcher(ctx);
    const modules: GatewayModule[] = [
      dispatcher,
      new HandsetReplies(ctx, dispatcher),
      new ReassuranceModule(ctx),
      new CallRules(ctx),
      new Ingest(ctx),
    ];
    for (const m of modules) {
      await m.start();
      cleanups.push(() => m.stop());
    }

    const http = buildHttpApi(ctx);
    await http.listen({ host: config.http.host, port: config.http.port });
    cleanups.push(() => http.close());
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
    log.info(
      { httpPort, mqttPort: mqttPort || undefined, openAlerts: alerts.open().length },
      'CareEdge gateway ready',
    );

    return { siteId, mqttPort, httpPort, context: ctx, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
