import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlertArchiver } from './alerts/archive.js';
import { AlertCommands } from './alerts/commands.js';
import { AlertService } from './alerts/service.js';
import { AlertStore } from './alerts/store.js';
import { buildHttpApi } from './api/http.js';
import { httpsHandshakeFailures, listenOrRetry } from './api/listen.js';
import { Accounts } from './auth/accounts.js';
import { AuthStore } from './auth/store.js';
import type { GatewayConfig } from './config/schema.js';
import { EventBus } from './core/bus.js';
import { type Clock, systemClock } from './core/clock.js';
import { type Db, openDatabase } from './core/db.js';
import { Health } from './core/health.js';
import { createLogger, type Logger } from './core/logger.js';
import { LoginThrottle, throttlePolicy } from './core/login-throttle.js';
import { createMetrics, type Metrics } from './core/metrics.js';
import type { GatewayModule } from './core/module.js';
import { startModules } from './core/modules.js';
import { probeStorage } from './core/storage-probe.js';
import { loadTlsCredentials, type TlsCredentials } from './core/tls.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { HandsetPresence } from './dispatch/handset-presence.js';
import { DispatchPlanner } from './dispatch/plan.js';
import { HandsetReplies } from './dispatch/replies.js';
import { AlertStorm, stormCounters } from './dispatch/storm.js';
import { StormWatch } from './dispatch/storm-watch.js';
import type { GatewayEvents } from './events.js';
import { FeedbackModule } from './feedback/feedback.js';
import { HappyIndex } from './feedback/happy-index.js';
import { Forwarding } from './forwarding/forwarding.js';
import { GpioModule } from './gpio/gpio-module.js';
import { OnoffPinBank } from './gpio/onoff-pins.js';
import type { PinBank } from './gpio/pins.js';
import { ClockWatch } from './health/clock-watch.js';
import { HealthReport } from './health/report.js';
import { Ingest } from './ingest/ingest.js';
import { UnrecordedAlarms } from './ingest/unrecorded.js';
import { AlarmJournal, alarmWriteAhead, JournalPruning } from './journal/index.js';
import type { MqttLink } from './mqtt/link.js';
import { openMqtt } from './mqtt/open.js';
import { ReassuranceModule } from './reassure/reassurance.js';
import { openRegister, type SiteRegister } from './register/register.js';
import { CallRules } from './rules/call-rules.js';
import { RuleLearning } from './rules/learning.js';
import { ruleEngineMetrics } from './rules/metrics.js';
import { IngestRecorder } from './rules/recorder.js';
import { RulesModule } from './rules/rules-module.js';
import { RulesSource } from './rules/source.js';
import { SqliteRuleStateStore } from './rules/state-store.js';
import { HeartbeatSupervision } from './rules/supervision.js';
import { SerialModule } from './serial/serial-module.js';
import { SmsModule } from './sms/sms-module.js';
import { Uplink } from './uplink/uplink.js';
import { WebhookModule } from './webhook/webhook-module.js';

export const EXAMPLE_SITE = fileURLToPath(new URL('../sites/example.yaml', import.meta.url));
export const VERSION = '0.1.0';

export interface StartOptions {
  config: GatewayConfig;
  clock?: Clock;
  logger?: Logger;
  /** Monotonic milliseconds, to notice wall-clock jumps; performance.now unless a test fakes it. */
  monotonic?: () => number;
  /** GPIO pins: onoff's unless a test fakes them. */
  pins?: PinBank;
}

/**
 * Everything the composition root built, for the CLI and the tests to look into. Modules are not
 * given this: each is handed the few parts it uses.
 */
export interface GatewayContext {
  config: GatewayConfig;
  siteId: string;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  bus: EventBus<GatewayEvents>;
  db: Db;
  register: SiteRegister;
  mqtt: MqttLink;
  alertStore: AlertStore;
  alerts: AlertService;
  planner: DispatchPlanner;
  /** The one command path for staff actions on alerts: handset replies and the HTTP API. */
  commands: AlertCommands;
  /** Staff console accounts, sessions and machine tokens (HTTP). */
  accounts: Accounts;
  /** The rules file in force (reloaded on change); the call rules and supervision read theirs from it. */
  rules: RulesSource;
  /** What the baseline rules have learned per resident (HTTP). */
  ruleLearning: RuleLearning;
  /** Named problems that make the gateway degraded (storage, clock); reported by health/. */
  health: Health;
  /** The feedback kiosks' Happy Index (HTTP). */
  happyIndex: HappyIndex;
}

export interface RunningGateway {
  siteId: string;
  mqttPort: number;
  httpPort: number;
  /** The embedded broker's MQTT-over-TLS port, when mqtt.tls is enabled. */
  mqttTlsPort?: number;
  /** The HTTPS port, when http.tls is enabled and listening. */
  httpsPort?: number;
  /** The certificate of the TLS listeners, when one is enabled. */
  tls?: TlsCredentials;
  context: GatewayContext;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the core services (SQLite, register, broker, MQTT link, alert
 * service, bus) and starts the feature modules in data-path order. A module on the alarm path
 * that fails to start stops the gateway with a clear error rather than leaving it half-working;
 * an optional one is logged and retried while the alarm path runs (core/modules.ts).
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

  const health = new Health(clock);
  try {
    const siteFile = config.siteFile || EXAMPLE_SITE;
    if (!config.siteFile)
      log.warn({ siteFile }, 'no site file configured: using the example site (set siteFile / --site)');
    const dbFile = join(config.dataDir, 'careedge.sqlite');
    const db = openDatabase(dbFile);
    cleanups.push(() => {
      db.close();
    });
    // Found now, so alarms go out from memory from the first one and the probe watches for recovery.
    const storageFault = probeStorage(db);
    if (storageFault) health.set('storage', storageFault);
    const register = openRegister(db, siteFile);
    const siteId = register.site.id;
    log.info({ site: siteId, siteFile, database: dbFile }, 'site register loaded');

    const metrics = createMetrics();
    // Before the broker opens: a rules file that is not valid refuses the start (RulesFileError).
    const ruleMetrics = ruleEngineMetrics(metrics.registry);
    const rules = new RulesSource({
      config,
      clock,
      log: log.child({ module: 'rules' }),
      reloads: ruleMetrics.reloads,
    });
    const journal = new AlarmJournal(db, clock);
    const journalLog = log.child({ module: 'journal' });
    const writeAhead = alarmWriteAhead(journal, journalLog, metrics.registry, (id) => {
      const c = register.deviceContext(id);
      return (
        c && { residentId: c.resident?.id ?? null, roomId: c.room?.id ?? null, zoneId: c.zone?.id ?? null }
      );
    });
    // Before any listener: a configured certificate that is missing or not its key's refuses the start.
    const mqttTls = config.mqtt.tls.enabled && !config.mqtt.url;
    const tls =
      config.http.tls.enabled || mqttTls
        ? await loadTlsCredentials({ config, now: () => clock.now(), log: log.child({ module: 'tls' }) })
        : undefined;
    const opened = await openMqtt({
      config,
      register,
      clock,
      log,
      metrics,
      version: VERSION,
      writeAhead,
      ...(mqttTls ? { tls } : {}),
    });
    cleanups.push(() => opened.close());
    const mqtt = opened.link;
    const mqttPort = opened.port;

    const bus = new EventBus<GatewayEvents>(log);
    const alertStore = new AlertStore(db);
    const handsets = new HandsetPresence();
    const planner = new DispatchPlanner(
      register,
      config.dispatch.ackTimeoutS,
      (err) => log.error({ err }, 'roster lookup failed; alert goes to nobody until its deadline retries'),
      handsets,
    );
    const stormWatch = new StormWatch(config, clock, stormCounters(metrics.registry));
    const alerts = new AlertService(
      alertStore,
      register,
      bus,
      clock,
      metrics,
      planner,
      config.dispatch,
      stormWatch,
    );
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
      planner,
      // The dispatcher is built from this context; a decline reaches it only once it exists.
      commands: new AlertCommands(
        alerts,
        { afterDecline: (id) => dispatcher.afterDecline(id) },
        log.child({ module: 'commands' }),
      ),
      accounts: new Accounts({
        store: new AuthStore(db),
        register,
        clock,
        // Console logins have their own counts; the policy is the MQTT logins' (config `logins`).
        throttle: new LoginThrottle(() => clock.now(), throttlePolicy(config.logins)),
        settings: config.auth,
      }),
      rules,
      ruleLearning: new RuleLearning({ rules, store: new SqliteRuleStateStore(db), register }),
      health,
      happyIndex: HappyIndex.of(db, clock),
    };

    const fromSite = ctx.accounts.applySitePasswords();
    if (fromSite.length > 0) log.info({ staff: fromSite }, 'console passwords set from the site file');

    const dispatcher = new Dispatcher(ctx, handsets);
    const unrecorded = new UnrecordedAlarms(ctx, (deviceId, staffIds) =>
      dispatcher.alsoAsk(deviceId, staffIds),
    );
    const ingest = new Ingest(ctx, journal, unrecorded);
    // Throws ConfigError for GPIO settings naming what the site register lacks: refuses the start.
    const gpio = new GpioModule({ ...ctx, ingest, writeAhead, pins: opts.pins ?? new OnoffPinBank() });
    const modules: GatewayModule[] = [
      new HealthReport(ctx, VERSION),
      new ClockWatch(ctx, opts.monotonic),
      unrecorded,
      new JournalPruning(journal, clock, journalLog),
      new AlertStorm(ctx, stormWatch),
      dispatcher,
      new HandsetReplies(ctx, ctx.commands),
      new ReassuranceModule(ctx),
      new CallRules(ctx),
      new HeartbeatSupervision(ctx),
      new RulesModule({ ...ctx, ruleMetrics }),
      new FeedbackModule(ctx),
      new Forwarding(ctx),
      new Uplink(ctx),
      new WebhookModule(ctx),
      new IngestRecorder(ctx),
      ingest,
      gpio, // after ingest: a press is handled once the journal's backlog is
      ...(config.serial.ports.length > 0 ? [new SerialModule(ctx, { ingest, writeAhead })] : []),
      ...(config.sms.enabled ? [new SmsModule(ctx)] : []), // optional: never on the alarm path
    ];
    cleanups.push(await startModules(modules, clock, log));

    const { host, port } = config.http;
    const tlsInUse = tls && { fingerprint: tls.fingerprint, source: tls.source, validTo: tls.validTo };
    const http = await listenOrRetry(
      buildHttpApi({ ...ctx, ...(tlsInUse ? { tls: tlsInUse } : {}) }),
      { host, port },
      clock,
      config.http.tls.enabled && tls
        ? {
            ...config.http.tls,
            key: tls.key,
            cert: tls.cert,
            onHandshakeError: httpsHandshakeFailures(metrics.registry),
          }
        : undefined,
    );
    cleanups.push(() => http.close());
    const httpPort = http.port() ?? config.http.port;
    const httpsPort = config.http.tls.enabled ? (http.tlsPort() ?? config.http.tls.port) : undefined;
    const mqttTlsPort = opened.tlsPort;
    log.info(
      {
        httpPort,
        httpsPort,
        mqttPort: mqttPort || undefined,
        mqttTlsPort,
        tlsFingerprint: tls?.fingerprint,
        openAlerts: alerts.open().length,
      },
      'CareEdge gateway ready',
    );
    // The default (npm start, tests, the demo): say plainly that phones on the Wi-Fi cannot reach it.
    if (!config.http.tls.enabled)
      log.warn(
        { httpHost: config.http.host, httpPort },
        'console and API on plain HTTP, loopback only: enable http.tls for the LAN',
      );
    // Housekeeping, started only once alarms flow: its first run may move years of closed alerts.
    const archiver = new AlertArchiver({
      db,
      clock,
      log: log.child({ module: 'alert-archive' }),
      archiveAfterDays: config.alerts.archiveAfterDays,
    });
    archiver.start();
    cleanups.push(() => archiver.stop());

    return {
      siteId,
      mqttPort,
      httpPort,
      ...(httpsPort === undefined ? {} : { httpsPort }),
      ...(mqttTlsPort === undefined ? {} : { mqttTlsPort }),
      ...(tls ? { tls } : {}),
      context: ctx,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
