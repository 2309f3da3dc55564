import { type ChannelKey, type GatewayState, type PayloadOf, topicFor } from '@careedge/edge';
import { connect, type MqttClient } from 'mqtt';
import type { LocalBus } from '../broker/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { BulkQueue } from './bulk-queue.js';

/** How the gateway's modules reach MQTT, whether the broker is embedded or external. */
export interface MqttLink {
  subscribe(filters: string[]): Promise<void>;
  onMessage(handler: (topic: string, payload: Buffer) => void): void;
  /** Publishes a protocol message at QoS 1 on a channel's topic for `id`. */
  publish<C extends ChannelKey>(channel: C, id: string, message: PayloadOf<C>, retain?: boolean): void;
  close(): Promise<void>;
  /**
   * From now on a device's telemetry and heartbeats are acknowledged only once what they became
   * is durable: `after()`, asked once a message was handled, names what to wait for (undefined:
   * nothing). `undefined` turns it off. Only the embedded broker can hold an acknowledgement
   * without holding the message; with an external broker the link acknowledges after handling.
   */
  holdAcksUntil?(after: (() => Promise<void> | undefined) | undefined): void;
}

interface LinkBase {
  siteId: string;
  clock: Clock;
  log: Logger;
  version?: string;
}

const topicOf = (siteId: string, channel: ChannelKey, id: string) =>
  topicFor(channel, siteId, channel === 'gatewayState' ? undefined : id);

const gatewayState = (o: LinkBase, state: GatewayState['state']): GatewayState => ({
  ts: o.clock.now(),
  state,
  ...(o.version ? { version: o.version } : {}),
});

/**
 * The link to the embedded broker: in-process, no socket. The gateway and the broker share a
 * process, so the retained `offline` state is published on a clean stop (a crash takes the
 * broker down with it, which devices see as a lost connection).
 */
export class LocalLink implements MqttLink {
  private readonly handlers: ((topic: string, payload: Buffer) => void)[] = [];

  constructor(
    private readonly bus: LocalBus,
    private readonly opts: LinkBase,
  ) {
    this.publish('gatewayState', '', gatewayState(opts, 'online'), true);
  }

  /** Telemetry and heartbeats, handed over unrouted and handled after the turn's alarms. */
  private bulk: BulkQueue | undefined;
  /** See MqttLink.holdAcksUntil. */
  private ackAfter: (() => Promise<void> | undefined) | undefined;

  async subscribe(filters: string[]): Promise<void> {
    const deliver = (topic: string, payload: Buffer) => {
      for (const h of this.handlers) h(topic, payload);
    };
    await Promise.all(filters.map((f) => this.bus.subscribe(f, deliver)));
    if (!this.bulk) {
      const bulk = new BulkQueue(deliver, () => this.ackAfter?.());
      this.bulk = bulk;
      this.bus.takeBulk((topic, payload, handled) => bulk.push(topic, payload, handled));
    }
  }

  holdAcksUntil(after: (() => Promise<void> | undefined) | undefined): void {
    this.ackAfter = after;
    this.bus.holdBulkAcks(after !== undefined);
  }

  onMessage(handler: (topic: string, payload: Buffer) => void): void {
    this.handlers.push(handler);
  }

  publish<C extends ChannelKey>(channel: C, id: string, message: PayloadOf<C>, retain = false): void {
    const topic = topicOf(this.opts.siteId, channel, id);
    this.bus.publish(topic, Buffer.from(JSON.stringify(message)), retain).catch((err: unknown) => {
      this.opts.log.error({ err, topic }, 'MQTT publish failed');
    });
  }

  async close(): Promise<void> {
    this.bulk?.flush();
    const topic = topicOf(this.opts.siteId, 'gatewayState', '');
    await this.bus.publish(topic, Buffer.from(JSON.stringify(gatewayState(this.opts, 'offline'))), true);
  }
}

export interface ClientLinkOptions extends LinkBase {
  url: string;
  username: string;
  password: string;
  /** Runs before a message is handled and acknowledged; see EmbeddedBrokerOptions.writeAhead. */
  writeAhead?(topic: string, payload: Buffer): Promise<void> | undefined;
  /** See EmbeddedBrokerOptions.writeAheadDurable. */
  writeAheadDurable?(): void;
}

/**
 * The link to an external broker: an MQTT.js client with a persistent session (QoS 1 messages
 * wait for the gateway while it reconnects) and the retained gateway state, `offline` being its
 * last will so devices and handsets can show that the gateway is unreachable.
 *
 * Messages are taken from MQTT.js's handleMessage, not its 'message' event: for QoS 1 MQTT.js
 * emits 'message', then calls handleMessage and sends the PUBACK when that calls back (mqtt 5,
 * lib/handlers/publish.ts), one message at a time. So an alarm is written ahead, then handled,
 * and only then acknowledged; the broker keeps an unacknowledged one in the session and sends it
 * again after a crash.
 */
export class ClientLink implements MqttLink {
  private readonly handlers: ((topic: string, payload: Buffer) => void)[] = [];
  /** Resolved by the first onMessage: what the session delivers before that waits, unacknowledged. */
  private readonly listening: Promise<void>;
  private startListening!: () => void;

  private constructor(
    private readonly client: MqttClient,
    private readonly opts: ClientLinkOptions,
  ) {
    this.listening = new Promise((resolve) => {
      this.startListening = resolve;
    });
    client.handleMessage = (packet, callback) => {
      const topic = packet.topic;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      let write: Promise<void> | undefined;
      try {
        write = opts.writeAhead?.(topic, payload);
      } catch {
        write = undefined; // a failing write-ahead must not stop the message
      }
      const handle = () => {
        try {
          for (const h of this.handlers) h(topic, payload);
        } finally {
          if (write !== undefined) {
            try {
              opts.writeAheadDurable?.();
            } catch {
              // Like a failing write-ahead: the message has gone on, and is acknowledged.
            }
          }
          callback(); // sends the PUBACK
        }
      };
      void Promise.all([this.listening, write]).then(handle, handle);
    };
  }

  /** The gateway state last published, so a reconnect repeats it. */
  private lastState: GatewayState | undefined;

  static async connect(opts: ClientLinkOptions): Promise<ClientLink> {
    // Not connectAsync: a persistent session may deliver queued messages right after the CONNACK,
    // and handleMessage must be ours before the first of them, or MQTT.js acknowledges it unread.
    const client = connect(opts.url, {
      username: opts.username,
      password: opts.password,
      clientId: `careedge-gateway-${opts.siteId}`,
      clean: false,
      reconnectPeriod: 1000,
      will: {
        topic: topicOf(opts.siteId, 'gatewayState', ''),
        payload: Buffer.from(JSON.stringify(gatewayState(opts, 'offline'))),
        qos: 1,
        retain: true,
      },
    });
    const link = new ClientLink(client, opts);
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        client.off('connect', onFirst).off('error', onError);
        if (err) {
          client.end(true);
          reject(err);
        } else resolve();
      };
      const onFirst = () => settle();
      const onError = (err: Error) => settle(err);
      client.once('connect', onFirst).once('error', onError);
    });
    client.on('error', (err) => opts.log.error({ err }, 'MQTT client error'));
    client.on('offline', () => opts.log.warn('MQTT connection lost; reconnecting'));
    const onConnect = () => {
      // Alarm packets are tiny: without TCP_NODELAY a dispatch can wait ~40 ms for a delayed ACK.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      // Re-announce the last state (it may be `degraded`), not a plain `online`.
      const last = link.lastState;
      link.publish(
        'gatewayState',
        '',
        last ? { ...last, ts: opts.clock.now() } : gatewayState(opts, 'online'),
        true,
      );
    };
    client.on('connect', onConnect);
    onConnect();
    return link;
  }

  async subscribe(filters: string[]): Promise<void> {
    const granted = await this.client.subscribeAsync(filters, { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length > 0)
      throw new Error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
  }

  onMessage(handler: (topic: string, payload: Buffer) => void): void {
    this.handlers.push(handler);
    this.startListening();
  }

  publish<C extends ChannelKey>(channel: C, id: string, message: PayloadOf<C>, retain = false): void {
    // TypeScript does not narrow a generic's payload by its channel; the channel test is the proof.
    if (channel === 'gatewayState') this.lastState = message as GatewayState;
    const topic = topicOf(this.opts.siteId, channel, id);
    this.client.publish(topic, JSON.stringify(message), { qos: 1, retain }, (err) => {
      if (err) this.opts.log.error({ err, topic }, 'MQTT publish failed');
    });
  }

  async close(): Promise<void> {
    const offline = JSON.stringify(gatewayState(this.opts, 'offline'));
    await this.client
      .publishAsync(topicOf(this.opts.siteId, 'gatewayState', ''), offline, { qos: 1, retain: true })
      .catch(() => undefined);
    await this.client.endAsync();
  }
}
