import { type ChannelKey, filterFor, frameTypeForChannel, parseTopic } from '@careedge/edge';
import { ConfigError } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import { type OpenSerial, PortDriver } from '../core/port-driver.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { WriteAhead } from '../journal/index.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';
import { Downlinks } from './downlinks.js';
import { type SerialMetrics, serialMetrics } from './metrics.js';
import { type MessageReceiver, StationLink } from './station-link.js';

/** The device downlinks a base station carries. */
const DOWNLINK_CHANNELS = ['deviceReassurance', 'deviceThanks', 'deviceConfiguration'] as const;
type DownlinkChannel = (typeof DOWNLINK_CHANNELS)[number];
const isDownlinkChannel = (c: ChannelKey): c is DownlinkChannel =>
  (DOWNLINK_CHANNELS as readonly ChannelKey[]).includes(c);

/** The /healthz warning of a port. */
const warningOf = (path: string) => `serial:${path}`;

interface PortState {
  driver: PortDriver;
  /** The protocol on the port while it is open. */
  link?: StationLink;
}

export interface SerialModuleParts {
  /** Ingest: messages that arrived by serial take the MQTT path from validation on. */
  ingest: MessageReceiver;
  /** The broker's alarm write-ahead: an alarm is in the journal before its ACK frame. */
  writeAhead: WriteAhead;
  /** Tests may open something else than node-serialport. */
  open?: OpenSerial;
}

/**
 * Serial base stations (docs/serial-protocol.md): one PortDriver and StationLink per configured
 * port, each on its own, so a port that fails or floods delays nobody else's alarm; downlinks for
 * the devices behind them are taken from MQTT and carried down. A port that is down is a warning
 * on /healthz (the MQTT devices' alarms still run), and `careedge_serial_link_up` in the metrics.
 */
export class SerialModule implements GatewayModule {
  readonly name = 'serial';
  readonly optional = true;
  private readonly ports: PortState[] = [];
  private readonly metrics: SerialMetrics;
  private readonly downlinks: Downlinks;
  private readonly rejectLog: RateLimitedLog;
  private readonly log: Logger;
  private listening = false;
  private stopped = false;

  constructor(
    private readonly ctx: {
      config: Pick<GatewayConfig, 'serial' | 'log'>;
      siteId: string;
      clock: Clock;
      log: Logger;
      metrics: Metrics;
      health: Pick<Health, 'warn' | 'unwarn'>;
      register: Pick<SiteRegister, 'authenticate' | 'device'>;
      mqtt: Pick<MqttLink, 'onMessage' | 'subscribe'>;
    },
    private readonly parts: SerialModuleParts,
  ) {
    const { serial } = ctx.config;
    // A port waiting for a base station the site file does not have would wait forever.
    const problems = serial.ports.flatMap((p, i) =>
      p.baseStation !== undefined && ctx.register.device(p.baseStation)?.kind !== 'base-station'
        ? [`serial.ports[${i}].baseStation: "${p.baseStation}" is not a base-station in the site file`]
        : [],
    );
    // The same refusal as any other configuration problem (main.ts prints the lines).
    if (problems.length > 0) throw new ConfigError(problems);
    this.log = ctx.log.child({ module: 'serial' });
    this.metrics = serialMetrics(ctx.metrics.registry);
    this.rejectLog = new RateLimitedLog(this.log, ctx.clock, ctx.config.log.rejectLogIntervalS * 1000);
    this.downlinks = new Downlinks({
      clock: ctx.clock,
      log: this.rejectLog,
      metrics: this.metrics,
      ackTimeoutMs: serial.ackTimeoutMs,
      tries: serial.downlinkTries,
      queueLimit: serial.downlinkQueue,
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    // Ports first: alarms coming up must not wait for the downlink subscription (nor fail with
    // it); a retried start finds them running.
    if (this.ports.length === 0) for (const port of this.ctx.config.serial.ports) this.openPort(port);
    if (!this.listening) {
      this.ctx.mqtt.onMessage((topic, payload) => this.downlink(topic, payload));
      this.listening = true;
    }
    await this.ctx.mqtt.subscribe(DOWNLINK_CHANNELS.map((c) => filterFor(c, this.ctx.siteId)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.downlinks.stop();
    await Promise.all(this.ports.splice(0).map((p) => p.driver.stop()));
  }

  private openPort(cfg: GatewayConfig['serial']['ports'][number]): void {
    const { path } = cfg;
    const { serial } = this.ctx.config;
    const { health, clock } = this.ctx;
    const m = this.metrics;
    const labels = { port: path };
    m.linkUp.set(labels, 0);
    m.loggedIn.set(labels, 0);
    const state: PortState = {
      driver: new PortDriver({
        path,
        baudRate: cfg.baudRate,
        clock,
        log: this.log,
        reconnectMinMs: serial.reconnectMinMs,
        reconnectMaxMs: serial.reconnectMaxMs,
        writeQueue: serial.writeQueue,
        ...(this.parts.open ? { open: this.parts.open } : {}),
        onData: (chunk) => {
          m.bytes.inc({ port: path, direction: 'in' }, chunk.length);
          state.link?.push(chunk);
        },
        onUp: (reconnect) => {
          if (reconnect) m.reconnects.inc(labels);
          m.linkUp.set(labels, 1);
          health.warn(warningOf(path), 'the serial port is open, but no base station has logged in');
          state.link = this.linkFor(cfg, state.driver);
        },
        onDown: (reason) => {
          state.link?.close();
          state.link = undefined;
          m.linkUp.set(labels, 0);
          health.warn(warningOf(path), `the serial port is down (${reason}); opening it again`);
        },
        onDropped: () => m.downlinksDropped.inc({ reason: 'write-queue-full' }),
      }),
    };
    this.ports.push(state);
    state.driver.start();
  }

  private linkFor(cfg: GatewayConfig['serial']['ports'][number], driver: PortDriver): StationLink {
    const { path } = cfg;
    const labels = { port: path };
    return new StationLink({
      port: path,
      baseStation: cfg.baseStation,
      siteId: this.ctx.siteId,
      clock: this.ctx.clock,
      log: this.log,
      rejectLog: this.rejectLog,
      metrics: this.metrics,
      register: this.ctx.register,
      ingest: this.parts.ingest,
      writeAhead: this.parts.writeAhead,
      downlinks: this.downlinks,
      write: (bytes) => {
        const ok = driver.write(bytes);
        if (ok) this.metrics.bytes.inc({ port: path, direction: 'out' }, bytes.length);
        return ok;
      },
      onStation: (id) => {
        this.metrics.loggedIn.set(labels, id === undefined ? 0 : 1);
        if (id !== undefined) this.ctx.health.unwarn(warningOf(path));
        else if (driver.isUp)
          this.ctx.health.warn(warningOf(path), 'the serial port is open, but no base station has logged in');
      },
    });
  }

  /** A downlink published on MQTT: carried down when its device is behind a base station. */
  private downlink(topic: string, payload: Buffer): void {
    if (this.stopped) return;
    const parsed = parseTopic(topic);
    if (!parsed || parsed.siteId !== this.ctx.siteId || !isDownlinkChannel(parsed.channel)) return;
    const via = this.ctx.register.device(parsed.id)?.via;
    // An MQTT device has it already; an empty retained message only clears the broker's copy.
    if (via === undefined || payload.length === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(payload.toString('utf8'));
    } catch {
      message = undefined;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.log.error({ topic }, 'a downlink is not a JSON object; not carried to the base station');
      return;
    }
    const type = frameTypeForChannel(parsed.channel);
    this.downlinks.enqueue(via, parsed.id, type, message as Record<string, unknown>);
  }
}
