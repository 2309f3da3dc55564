import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { backoffCeilingMs } from '../core/retry.js';
import type { QueuedMessage, UplinkQueue } from './queue.js';

/** Messages published and not yet PUBACKed at once: enough to fill a slow link, small to resend. */
const WINDOW = 64;
/**
 * A connection on which nothing published is PUBACKed for this long is given up and a new one
 * sends the window again: a broker that takes publishes but never acknowledges them (a hung
 * plugin, a stalled disk) would otherwise hold the window, and what is in it, for ever.
 */
export const ACK_TIMEOUT_MS = 30_000;

export interface SenderOptions {
  url: string;
  mqtt: IClientOptions;
  queue: UplinkQueue;
  clock: Clock;
  log: Logger;
  retryMinMs: number;
  retryMaxMs: number;
  /** Messages the broker acknowledged, once deleted from the queue. */
  onSent: (m: readonly QueuedMessage[]) => void;
  /** Connected or not, after each change; `error` says why it is not. */
  onLink: (connected: boolean, error?: string) => void;
}

/**
 * Publishes the queue, oldest first, at QoS 1 and deletes each message once the broker PUBACKed
 * it. One MQTT.js client per connection, its own reconnect off: after any disconnect the next
 * connection starts again from the oldest message still queued, so nothing is skipped and each
 * alert's changes reach the broker in order (a message may arrive twice; its id tells).
 * Connection attempts back off from retryMinMs to retryMaxMs, with jitter, on the injected clock.
 */
export class UplinkSender {
  private client: MqttClient | undefined;
  private connected = false;
  private stopped = false;
  private cursor = 0;
  private inFlight = 0;
  /** WINDOW, or less when the broker's CONNACK says it takes fewer unacknowledged (Receive Maximum). */
  private window = WINDOW;
  private failures = 0;
  private retryTimer: unknown;
  private ackTimer: unknown;
  /** Told `onLink(true)` for this connection: once something was PUBACKed or nothing was to send. */
  private reportedUp = false;
  private acked: QueuedMessage[] = [];
  private lastError: string | undefined;
  /**
   * MQTT 5 first: its PUBACK says whether the broker took the message, where under 3.1.1 a broker
   * that does not authorise the topic acknowledges the publish all the same and drops it. A broker
   * that refuses 5 (CONNACK 1, unacceptable protocol version) is spoken to in 3.1.1 from then on.
   */
  private protocolVersion: 4 | 5 = 5;
  /** The connection closing was refused MQTT 5: the next one, in 3.1.1, follows at once. */
  private fellBack = false;

  constructor(private readonly o: SenderOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Something was queued: publish it if connected. */
  kick(): void {
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.retryTimer);
    this.o.clock.clearTimeout(this.ackTimer);
    this.flushAcked();
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    if (c) await c.endAsync(true).catch(() => undefined);
  }

  private connect(): void {
    if (this.stopped) return;
    const client = connect(this.o.url, {
      ...this.o.mqtt,
      protocolVersion: this.protocolVersion,
      reconnectPeriod: 0,
    });
    this.client = client;
    client.on('connect', (connack) => {
      if (this.client !== client) return;
      this.connected = true;
      this.window = Math.min(WINDOW, connack.properties?.receiveMaximum ?? WINDOW);
      this.flushAcked();
      this.cursor = 0;
      this.inFlight = 0;
      this.pump();
      if (this.inFlight === 0) this.up();
    });
    client.on('error', (err) => {
      if (this.client !== client) return;
      this.lastError = err.message;
      if (this.protocolVersion === 5 && (err as { code?: unknown }).code === 1) {
        this.protocolVersion = 4;
        this.fellBack = true;
        this.o.log.warn(
          { url: this.o.url },
          'uplink broker speaks MQTT 3.1.1 only: a message it does not authorise is acknowledged and lost without a word; check its ACL allows the uplink topics',
        );
      }
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.connected = false;
      this.reportedUp = false;
      this.o.clock.clearTimeout(this.ackTimer);
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      if (this.fellBack) {
        this.fellBack = false;
        this.connect();
      } else this.retry();
    });
  }

  /** The link works: connected, and the broker acknowledges (or nothing was waiting). */
  private up(): void {
    if (this.reportedUp) return;
    this.reportedUp = true;
    if (this.failures > 0) this.o.log.info({ url: this.o.url }, 'uplink connected again');
    this.failures = 0;
    this.lastError = undefined;
    this.o.onLink(true);
  }

  /** Armed while something is in flight, again at each PUBACK: no progress for that long ends the connection. */
  private watchAcks(client: MqttClient): void {
    this.o.clock.clearTimeout(this.ackTimer);
    if (this.inFlight === 0) return;
    this.ackTimer = this.o.clock.setTimeout(() => {
      if (this.client !== client) return;
      this.lastError = `no PUBACK within ${ACK_TIMEOUT_MS / 1000} s`;
      client.end(true);
    }, ACK_TIMEOUT_MS);
  }

  private retry(): void {
    if (this.stopped) return;
    const { retryMinMs, retryMaxMs, clock, log } = this.o;
    const reason = this.lastError ?? 'connection closed';
    if (this.failures === 0)
      log.warn(
        { url: this.o.url, reason },
        'no link to the uplink broker (unreachable, or it refused us); queueing',
      );
    this.o.onLink(false, reason);
    const base = backoffCeilingMs(this.failures + 1, retryMinMs, retryMaxMs);
    this.failures++;
    // Full jitter on half the wait, so many sites do not reconnect to the head office in step.
    const wait = Math.round(base / 2 + (Math.random() * base) / 2);
    this.retryTimer = clock.setTimeout(() => this.connect(), wait);
  }

  private pump(): void {
    const client = this.client;
    if (!client || !this.connected || this.inFlight >= this.window) return;
    const idle = this.inFlight === 0;
    for (const m of this.o.queue.after(this.cursor, this.window - this.inFlight)) {
      this.cursor = m.seq;
      this.inFlight++;
      client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
        if (this.client !== client) return; // that connection is gone: the next one sends it again
        this.inFlight--;
        if (err) {
          // Refused (an MQTT 5 PUBACK reason code: not authorised, quota exceeded): start over on a new connection rather than leave a hole in the order. Failed
          // because this side is ending the connection: the reason given for that stands.
          if (client.disconnecting) return;
          this.lastError = err.message;
          client.end(true);
          return;
        }
        this.up();
        this.acked.push(m);
        if (this.acked.length === 1) setImmediate(() => this.flushAcked());
        this.watchAcks(client);
        this.pump();
      });
    }
    if (idle) this.watchAcks(client);
  }

  /** PUBACKs of one turn deleted in one transaction (a crash before it only means a resend). */
  private flushAcked(): void {
    const sent = this.acked;
    if (sent.length === 0) return;
    this.acked = [];
    this.o.queue.delete(sent.map((m) => m.seq));
    this.o.onSent(sent);
  }
}
