import { randomBytes } from 'node:crypto';
import { channels } from '@careedge/edge';
import { Counter, Gauge } from 'prom-client';
import { startEmbeddedBroker } from '../broker/index.js';
import type { GatewayConfig } from '../config/schema.js';
import { isLoopbackHost } from '../config/tls.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { LoginThrottle, throttlePolicy } from '../core/login-throttle.js';
import type { Metrics } from '../core/metrics.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { SiteRegister } from '../register/register.js';
import { ClientLink, LocalLink, type MqttLink } from './link.js';

export interface OpenedMqtt {
  link: MqttLink;
  /** The embedded broker's TCP port; 0 with an external broker. */
  port: number;
  /** The embedded broker's MQTT-over-TLS port, when mqtt.tls is enabled. */
  tlsPort?: number;
  close(): Promise<void>;
}

/**
 * MQTT for the gateway: the embedded broker with the register's logins and ACLs and an
 * in-process link to it, or, when `mqtt.url` is set, a client of that external broker.
 */
export async function openMqtt(opts: {
  config: GatewayConfig;
  register: SiteRegister;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  version: string;
  /** The certificate of the MQTT-over-TLS listener; needed when mqtt.tls is enabled. */
  tls?: { key: string; cert: string };
  /** Makes alarms durable before they are acknowledged (the alarm journal). */
  writeAhead?: { (topic: string, payload: Buffer): Promise<void> | undefined; durable(): void };
}): Promise<OpenedMqtt> {
  const { config, register, clock, log, metrics, version, writeAhead, tls } = opts;
  const siteId = register.site.id;
  const mqttDenied = new Counter({
    registers: [metrics.registry],
    name: 'careedge_mqtt_denied_total',
    help: 'Refused MQTT connects, publishes and subscribes.',
    labelNames: ['kind'] as const,
  });
  if (config.mqtt.url) {
    const link = await ClientLink.connect({
      url: config.mqtt.url,
      username: config.mqtt.username,
      password: config.mqtt.password,
      siteId,
      clock,
      log,
      version,
      ...(writeAhead ? { writeAhead, writeAheadDurable: writeAhead.durable } : {}),
    });
    log.info({ url: config.mqtt.url }, 'connected to the external MQTT broker');
    return { link, port: 0, close: () => link.close() };
  }
  if (config.mqtt.tls.enabled && !tls) throw new Error('mqtt.tls is enabled but no certificate was given');
  if (!isLoopbackHost(config.mqtt.host))
    log.warn(
      { host: config.mqtt.host, port: config.mqtt.port },
      'plain MQTT listens on the network (mqtt.host): device and handset passwords cross it unencrypted; mqtt.tls is the safe door',
    );
  const denials = new RateLimitedLog(log, clock, config.log.rejectLogIntervalS * 1000);
  const broker = await startEmbeddedBroker({
    host: config.mqtt.host,
    port: config.mqtt.port,
    ...(config.mqtt.tls.enabled && tls
      ? { tls: { ...tls, host: config.mqtt.tls.host, port: config.mqtt.tls.port } }
      : {}),
    siteId,
    // A random secret nobody is given: the gateway talks to its broker in-process, so the
    // all-powerful `gateway` login stays shut.
    gatewaySecret: randomBytes(24).toString('base64url'),
    authenticate: (u, p) => register.authenticate(u, p),
    isLogin: (id) => register.isLogin(id),
    loginThrottle: new LoginThrottle(() => clock.now(), throttlePolicy(config.logins)),
    maxPacketBytes: config.mqtt.maxPacketBytes,
    publishRate: {
      perSecond: config.mqtt.publishesPerSecond,
      burst: config.mqtt.publishBurst,
      now: () => clock.now(),
      setTimer: (fn, ms) => void clock.setTimeout(fn, ms),
    },
    // Thousands a second, for the gateway only: handed over unrouted, handled after alarms.
    bulkLeaves: [channels.deviceTelemetry.leaf, channels.deviceHeartbeat.leaf],
    onDenied: (e) => {
      mqttDenied.inc({ kind: e.kind });
      // Login failures are summed up per address (one guesser tries many usernames).
      const who =
        e.kind === 'auth' || e.kind === 'throttled' || e.kind === 'tls'
          ? e.source
          : (e.username ?? e.clientId);
      denials.warn(`${e.kind}/${who}`, { ...e }, 'MQTT request refused');
    },
    // Only devices raise alarms; staff replies and the gateway's own publishes pass at once.
    ...(writeAhead
      ? {
          writeAhead: (p, topic, payload) => (p.kind === 'device' ? writeAhead(topic, payload) : undefined),
          writeAheadDurable: writeAhead.durable,
        }
      : {}),
  });
  log.info(
    {
      port: broker.port,
      host: config.mqtt.host,
      tlsPort: broker.tlsPort,
      tlsHost: broker.tlsPort && config.mqtt.tls.host,
    },
    'embedded MQTT broker listening',
  );
  new Gauge({
    registers: [metrics.registry],
    name: 'careedge_mqtt_clients',
    help: 'MQTT clients connected to the embedded broker (devices and handsets).',
    collect() {
      this.set(broker.clients());
    },
  });
  const link = new LocalLink(broker.local, { siteId, clock, log, version });
  return {
    link,
    port: broker.port,
    ...(broker.tlsPort === undefined ? {} : { tlsPort: broker.tlsPort }),
    close: async () => {
      await link.close();
      await broker.close();
    },
  };
}
