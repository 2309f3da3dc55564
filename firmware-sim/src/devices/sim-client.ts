import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  type ChannelKey,
  type ChannelMessage,
  channels,
  decodeMessage,
  type OmitEach,
  type PayloadOf,
  parseTopic,
  topicFor,
  type UpChannel,
} from '@careedge/edge';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type Clock, systemClock } from '../clock.js';

export interface SimClientOptions {
  /** Broker URL, e.g. `mqtt://127.0.0.1:1883`, or `mqtts://gateway.local:8883` for MQTT over TLS. */
  url: string;
  /**
   * With mqtts://: the PEM file of the certificate to trust, e.g. the gateway's self-signed one
   * (`<dataDir>/tls/gateway.crt`), which pins it; without it, the system's CAs. The gateway's
   * certificate must name the URL's host either way.
   */
  caFile?: string;
  siteId: string;
  /** Device or staff id: also the MQTT username. */
  id: string;
  /** The password the gateway checks against the site register. */
  secret: string;
  clock?: Clock;
  /** Extra MQTT.js options. */
  mqtt?: Partial<IClientOptions>;
  /** Disable Nagle's algorithm on the TCP socket (TCP_NODELAY). Default true; see `connect`. */
  noDelay?: boolean;
}

/** A message this client published: what runners and tests observe. */
export interface Sent {
  channel: ChannelKey;
  topic: string;
  message: Record<string, unknown>;
}

/** Events every simulated client emits; subclasses add their own. */
export interface ClientEvents {
  connected: [];
  sent: [Sent];
  /** A message on a subscribed topic that did not validate: the gateway broke the protocol. */
  invalid: [{ channel: ChannelKey; errors: string[]; payload: string }];
  /** Connection-level trouble (refused credentials, socket errors); never fatal by itself. */
  trouble: [Error];
}

type Party = 'device' | 'staff';

/** What a sender writes on an uplink channel: the payload without the `seq` and `ts` added here. */
export type BodyOf<C extends UpChannel> = OmitEach<PayloadOf<C>, 'seq' | 'ts'>;

/**
 * What devices and handsets have in common on the wire: an MQTT.js connection authenticated as
 * the device / staff member, a `seq` counter from 0 at "boot", `ts` from the injected clock, a
 * retained `online` status after every connect and a retained `offline` last will.
 */
export abstract class SimClient<
  E extends ClientEvents & Record<keyof E, unknown[]> = ClientEvents,
> extends EventEmitter<E> {
  readonly id: string;
  readonly siteId: string;
  protected readonly clock: Clock;
  private client: MqttClient | undefined;
  private seq = 0;
  /**
   * When bytes last arrived from the broker (performance.now()): a message handler can tell when
   * its message reached this client's socket, apart from the time its MQTT and JSON parsing took.
   */
  lastReadAt = 0;
  private readonly statusChannel: 'deviceStatus' | 'staffStatus';

  protected constructor(
    protected readonly party: Party,
    private readonly opts: SimClientOptions,
    private readonly subscriptions: ChannelKey[],
  ) {
    super();
    this.id = opts.id;
    this.siteId = opts.siteId;
    this.clock = opts.clock ?? systemClock;
    this.statusChannel = party === 'device' ? 'deviceStatus' : 'staffStatus';
  }

  /** The seq the next message will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects, subscribes to this client's own downlink topics and announces `online`. */
  async connect(): Promise<void> {
    if (this.client) throw new Error(`${this.id}: already connected`);
    const client = mqtt.connect(this.opts.url, {
      clientId: `${this.id}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      username: this.opts.id,
      password: this.opts.secret,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      will: this.willFor(),
      ...(this.opts.caFile ? { ca: readFileSync(this.opts.caFile), rejectUnauthorized: true } : {}),
      ...this.opts.mqtt,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.fire('trouble', err));
    // Re-arm the will on every reconnect: MQTT.js resends `options.will` as given at first connect,
    // and a stale seq/ts could make the gateway take a later `offline` for a retransmission.
    client.on('reconnect', () => {
      client.options.will = this.willFor();
    });
    client.on('connect', () => {
      // MQTT.js leaves Nagle's algorithm on. With it, a small publish (an SOS) that follows
      // another write still unacknowledged waits for the peer's delayed ACK — up to 40 ms on
      // Linux — which is a property of the socket, not of the gateway being measured. Alarm
      // devices set TCP_NODELAY for this reason; `noDelay: false` simulates one that does not.
      if (this.opts.noDelay !== false)
        (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      client.stream.prependListener('data', () => {
        this.lastReadAt = performance.now();
      });
      void this.announceOnline(client);
    });
    // Resolve only once subscribed and `online` is out, so callers can publish right away and
    // the gateway has already seen the device come online.
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        cleanup();
        client.end(true);
        this.client = undefined;
        reject(new Error(`${this.id}: cannot connect to ${this.opts.url}: ${err.message}`));
      };
      const ready = () => {
        cleanup();
        resolve();
      };
      // MQTT.js retries a refused TCP connection silently, so a wrong port would hang forever;
      // a real-time deadline (this is about sockets, not simulated time) turns that into an error.
      const deadline = setTimeout(() => fail(new Error('no connection within 15 s')), 15_000);
      const cleanup = () => {
        clearTimeout(deadline);
        (this as EventEmitter).off('trouble', fail);
        (this as EventEmitter).off('connected', ready);
      };
      (this as EventEmitter).once('trouble', fail);
      (this as EventEmitter).once('connected', ready);
    });
  }

  private async announceOnline(client: MqttClient): Promise<void> {
    try {
      const topics = this.subscriptions.map((c) => topicFor(c, this.siteId, this.id));
      if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
      await this.publish(this.statusChannel, { state: 'online' });
      this.fire('connected');
      this.onOnline();
    } catch (err) {
      this.fire('trouble', err as Error);
    }
  }

  /** Hook for subclasses: runs after each (re)connect once `online` is published. */
  protected onOnline(): void {}

  /** Hook for subclasses: stop timers before the connection goes away. */
  protected onClosing(): void {}

  /**
   * Emits one of the common events. Concrete subclasses emit their own events with `this.emit`,
   * typed by their event map; here the map is still generic, hence the widening.
   */
  protected fire<K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]): void {
    (this as EventEmitter).emit(event, ...args);
  }

  /**
   * The will is made when the CONNECT is sent, so it takes its seq then: a fresh (seq, ts) pair the
   * gateway cannot mistake for an earlier message, even though it is published later.
   */
  private willFor(): NonNullable<IClientOptions['will']> {
    const payload = JSON.stringify({ seq: this.takeSeq(), ts: this.clock.now(), state: 'offline' });
    return { topic: topicFor(this.statusChannel, this.siteId, this.id), payload, qos: 1, retain: true };
  }

  private takeSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 4_294_967_296;
    return seq;
  }

  /**
   * Publishes on one of this client's uplink channels with the channel's QoS and retain flag,
   * adding `seq` and `ts`. Resolves once the broker acknowledged it (QoS 1).
   */
  protected publish<C extends UpChannel>(channel: C, body: BodyOf<C>): Promise<Sent> {
    const client = this.client;
    if (!client) return Promise.reject(new Error(`${this.id}: not connected`));
    const message = { seq: this.takeSeq(), ts: this.clock.now(), ...body };
    const topic = topicFor(channel, this.siteId, this.id);
    const spec = channels[channel];
    const sent: Sent = { channel, topic, message };
    this.fire('sent', sent);
    return client
      .publishAsync(topic, JSON.stringify(message), { qos: spec.qos, retain: spec.retained })
      .then(() => sent);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.id !== this.id) return;
    const decoded = decodeMessage(parsed.channel, payload);
    if (!decoded.ok) {
      this.fire('invalid', { channel: parsed.channel, errors: decoded.errors, payload: payload.toString() });
      return;
    }
    this.onInbound(decoded.value);
  }

  /** A validated message on one of this client's downlink channels. */
  protected abstract onInbound(message: ChannelMessage): void;

  /** Graceful shutdown: publishes a retained `offline` (the will is not sent on a clean disconnect). */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.onClosing();
    if (client.connected) {
      await this.publish(this.statusChannel, { state: 'offline' }).catch(() => undefined);
    }
    this.client = undefined;
    await client.endAsync();
  }

  /** Abrupt loss (battery pulled, out of range): no DISCONNECT, so the broker publishes the will. */
  kill(): void {
    const client = this.client;
    if (!client) return;
    this.onClosing();
    this.client = undefined;
    client.end(true);
  }
}
