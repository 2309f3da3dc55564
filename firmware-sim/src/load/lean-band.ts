import { type Socket, connect as tcpConnect } from 'node:net';
import { type ChannelKey, topicFor } from '@careedge/edge';
import mqttPacket from 'mqtt-packet';
import { type Clock, systemClock } from '../clock.js';
import { SIM_FIRMWARE } from '../devices/sim-device.js';
import { BandReadings } from '../devices/wristband.js';
import {
  CONNACK_REFUSALS,
  DISCONNECT,
  FrameReader,
  markDuplicate,
  PacketType,
  PINGREQ,
  publishFrame,
  topicBytes,
} from './mqtt-frames.js';

/** What a thread's lean bands did, counted as TelemetryPump counts its MQTT.js bands. */
export interface LeanCounts {
  acked: number;
  failed: number;
  troubles: number;
}

export interface LeanBandOptions {
  /** Broker URL, `mqtt://host:port`. */
  url: string;
  siteId: string;
  id: string;
  secret: string;
  /** Shared by the bands of a thread; this band adds to it. */
  counts: LeanCounts;
  clock?: Clock;
  random?: () => number;
  /** Seconds between heartbeats, as the simulated band sends them; `false`: none. Default 60. */
  heartbeatS?: number | false;
  /** MQTT keep-alive, seconds. Default 60. */
  keepaliveS?: number;
  /** First wait before reconnecting a lost connection; doubles up to 5 s. Default 250 ms. */
  reconnectMs?: number;
  /**
   * PUBLISHes written and not yet acknowledged at most; the rest wait in the band, in order.
   * Default IN_FLIGHT_WINDOW.
   */
  window?: number;
}

const CONNECT_TIMEOUT_MS = 15_000;
const CLOSE_TIMEOUT_MS = 2_000;
/** Messages a band keeps until acknowledged (written or waiting): its message ids, and its memory. */
const MAX_IN_FLIGHT = 65_535;
/**
 * PUBLISHes a band has on the wire unacknowledged at most: Paho's clients default to 10 in
 * flight, as do most device SDKs. A band that never waits (65,535 in flight) is not a band: it
 * measures how much a gateway buffers, not what it handles.
 */
export const IN_FLIGHT_WINDOW = 10;

/**
 * A wristband of the load generator that only sends: raw MQTT 3.1.1 on one TCP socket, the same
 * messages as the simulated band (`online` status, heartbeats, telemetry; `offline` as will and
 * on close), at a fraction of MQTT.js's cost per message. A lost connection is reconnected and
 * every unacknowledged PUBLISH resent with DUP, as a QoS 1 client must; a message still
 * unacknowledged at close is counted failed, never dropped silently.
 */
export class LeanBand {
  readonly id: string;
  private socket: Socket | undefined;
  private connected = false;
  /** Set once the first connect succeeded: from then on a lost connection is retried. */
  private established = false;
  private closing = false;
  private seq = 0;
  private nextId = 0;
  /**
   * PUBLISHes not yet acknowledged, by message id, in the order they were made: first those
   * written, then those waiting for the window (or a connection), whose ids are in `unsent`.
   */
  private readonly inFlight = new Map<number, Buffer>();
  private unsent: number[] = [];
  private unsentHead = 0;
  private readonly window: number;
  /** The ids among them that are status or heartbeat, not telemetry. */
  private readonly control = new Set<number>();
  private readonly readings: BandReadings;
  private readonly clock: Clock;
  private readonly topics: { telemetry: Buffer; heartbeat: Buffer; status: Buffer };
  private readonly host: string;
  private readonly port: number;
  private readonly bootAt: number;
  private heartbeatTimer: unknown;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay: number;
  private wroteSincePing = false;
  private settleConnect: ((err?: Error) => void) | undefined;
  private onAllAcked: (() => void) | undefined;

  constructor(private readonly opts: LeanBandOptions) {
    this.id = opts.id;
    this.clock = opts.clock ?? systemClock;
    this.readings = new BandReadings(opts.random);
    this.bootAt = this.clock.now();
    this.reconnectDelay = opts.reconnectMs ?? 250;
    this.window = opts.window ?? IN_FLIGHT_WINDOW;
    const url = new URL(opts.url);
    this.host = url.hostname;
    this.port = Number(url.port || 1883);
    const topic = (c: ChannelKey) => topicBytes(topicFor(c, opts.siteId, opts.id));
    this.topics = {
      telemetry: topic('deviceTelemetry'),
      heartbeat: topic('deviceHeartbeat'),
      status: topic('deviceStatus'),
    };
  }

  /** Messages sent (or waiting for the window or a connection) and not yet acknowledged. */
  get unacked(): number {
    return this.inFlight.size;
  }

  /** Messages waiting in the band for the window or a connection. */
  get waiting(): number {
    return this.unsent.length - this.unsentHead;
  }

  /** Written, unacknowledged: the first ones of inFlight. */
  private get written(): number {
    return this.inFlight.size - this.waiting;
  }

  /** Connects; fails with the broker's reason when the login is refused. No retry here. */
  async connect(): Promise<void> {
    if (this.socket) throw new Error(`${this.id}: already connected`);
    try {
      await this.open();
    } catch (err) {
      throw new Error(`${this.id}: cannot connect to ${this.opts.url}: ${(err as Error).message}`);
    }
    this.established = true;
    this.startHeartbeat();
  }

  /** One telemetry message, with its own seq and ts; the shared counts say how it ended. */
  telemetry(): void {
    if (this.closing) {
      this.opts.counts.failed++;
      return;
    }
    const r = this.readings.next();
    const hr = r.heartRateBpm === undefined ? '' : `,"heartRateBpm":${r.heartRateBpm}`;
    // The simulated band's JSON, field for field (seq, ts, then its readings), built as one string.
    const payload = `{"seq":${this.takeSeq()},"ts":${this.clock.now()},"activity":${r.activity},"steps":${r.steps},"worn":${r.worn},"batteryPct":${r.batteryPct},"rssiDbm":${r.rssiDbm}${hr}}`;
    if (!this.publish(this.topics.telemetry, payload, false, false)) this.opts.counts.failed++;
  }

  /**
   * The link is lost (radio out of range): the socket goes without DISCONNECT, and the band
   * reconnects and resends what was not acknowledged, as after any other loss.
   */
  dropConnection(): void {
    this.socket?.destroy();
  }

  /** Publishes `offline`, waits (briefly) for what is in flight, then disconnects. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stopHeartbeat();
    clearTimeout(this.reconnectTimer);
    if (this.connected) {
      this.publishStatus('offline');
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        this.onAllAcked = () => {
          clearTimeout(deadline);
          resolve();
        };
        if (this.inFlight.size === 0) this.onAllAcked();
      });
      this.socket?.end(DISCONNECT);
    } else {
      this.socket?.destroy();
    }
    this.stopKeepalive();
    this.socket = undefined;
    this.connected = false;
    // What never got its PUBACK is lost as far as this band knows: say so.
    for (const id of this.inFlight.keys()) {
      if (this.control.has(id)) this.opts.counts.troubles++;
      else this.opts.counts.failed++;
    }
    this.inFlight.clear();
    this.unsent = [];
    this.unsentHead = 0;
    this.control.clear();
  }

  private takeSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 4_294_967_296;
    return seq;
  }

  /** Queues a QoS 1 PUBLISH and writes it if connected. False when no message id is free. */
  private publish(topic: Buffer, payload: string, retain: boolean, control: boolean): boolean {
    if (this.inFlight.size >= MAX_IN_FLIGHT) return false;
    let id = this.nextId;
    do id = (id % MAX_IN_FLIGHT) + 1;
    while (this.inFlight.has(id));
    this.nextId = id;
    const frame = publishFrame(topic, payload, id, retain);
    const now = this.connected && this.waiting === 0 && this.written < this.window;
    this.inFlight.set(id, frame);
    if (control) this.control.add(id);
    if (now) this.write(frame);
    else this.unsent.push(id);
    return true;
  }

  /** Writes waiting messages, oldest first, while the window has room. */
  private pump(): void {
    while (this.connected && this.waiting > 0 && this.written < this.window) {
      const id = this.unsent[this.unsentHead++]!;
      const frame = this.inFlight.get(id);
      if (frame) this.write(frame);
    }
    if (this.unsentHead > 1024 && this.unsentHead * 2 > this.unsent.length) {
      this.unsent = this.unsent.slice(this.unsentHead);
      this.unsentHead = 0;
    }
  }

  private publishStatus(state: 'online' | 'offline'): void {
    const payload = JSON.stringify({ seq: this.takeSeq(), ts: this.clock.now(), state });
    if (!this.publish(this.topics.status, payload, true, true)) this.opts.counts.troubles++;
  }

  private heartbeat(): void {
    const payload = JSON.stringify({
      seq: this.takeSeq(),
      ts: this.clock.now(),
      intervalS: this.opts.heartbeatS === false ? 60 : (this.opts.heartbeatS ?? 60),
      uptimeS: Math.floor((this.clock.now() - this.bootAt) / 1000),
      firmware: SIM_FIRMWARE,
    });
    if (!this.publish(this.topics.heartbeat, payload, false, true)) this.opts.counts.troubles++;
  }

  private write(frame: Buffer): void {
    this.wroteSincePing = true;
    this.socket!.write(frame);
  }

  /** Opens the socket, sends CONNECT (with the `offline` will) and waits for CONNACK 0. */
  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = tcpConnect({ host: this.host, port: this.port, noDelay: true });
      this.socket = socket;
      const deadline = setTimeout(
        () => fail(new Error(`no CONNACK within ${CONNECT_TIMEOUT_MS / 1000} s`)),
        CONNECT_TIMEOUT_MS,
      );
      // A failed attempt ends with its socket's close: `lost` then decides whether to retry.
      const fail = (err: Error) => {
        if (!this.settleConnect) return;
        this.settleConnect = undefined;
        clearTimeout(deadline);
        socket.destroy();
        reject(err);
      };
      this.settleConnect = (err) => {
        if (err) return fail(err);
        this.settleConnect = undefined;
        clearTimeout(deadline);
        resolve();
      };
      const reader = new FrameReader((header, data, start, length) =>
        this.onFrame(header, data, start, length),
      );
      socket.on('connect', () => socket.write(this.connectPacket()));
      socket.on('data', (chunk: Buffer) => {
        const error = reader.push(chunk);
        if (error) {
          this.trouble();
          socket.destroy();
        }
      });
      socket.on('error', (err) => fail(err));
      socket.on('close', () => {
        fail(new Error('connection closed before CONNACK'));
        if (this.socket === socket) this.lost();
      });
    });
  }

  private connectPacket(): Buffer {
    return mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: `${this.id}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      keepalive: this.opts.keepaliveS ?? 60,
      username: this.opts.id,
      password: Buffer.from(this.opts.secret),
      // A fresh (seq, ts) at each CONNECT, as the simulated band does: never mistaken for an older message.
      will: {
        topic: topicFor('deviceStatus', this.opts.siteId, this.id),
        payload: Buffer.from(JSON.stringify({ seq: this.takeSeq(), ts: this.clock.now(), state: 'offline' })),
        qos: 1,
        retain: true,
      },
    });
  }

  private onFrame(header: number, data: Buffer, start: number, length: number): void {
    switch (header >> 4) {
      case PacketType.puback:
        this.onPuback(length === 2 ? (data[start]! << 8) | data[start + 1]! : -1);
        break;
      case PacketType.connack:
        this.onConnack(length === 2 ? data[start + 1]! : -1);
        break;
      case PacketType.pingresp:
        break;
      default:
        this.trouble();
    }
  }

  private onPuback(id: number): void {
    if (!this.inFlight.delete(id)) {
      this.trouble();
      return;
    }
    if (!this.control.delete(id)) this.opts.counts.acked++;
    this.pump();
    if (this.inFlight.size === 0) this.onAllAcked?.();
  }

  private onConnack(code: number): void {
    if (code !== 0) {
      const reason = CONNACK_REFUSALS[code] ?? `malformed CONNACK (code ${code})`;
      const err = new Error(`refused: ${reason} (CONNACK ${code})`);
      if (this.settleConnect) this.settleConnect(err);
      else this.trouble();
      return;
    }
    this.connected = true;
    this.reconnectDelay = this.opts.reconnectMs ?? 250;
    this.startKeepalive();
    // Resend what the last connection left unacknowledged (already marked DUP when it was lost),
    // then what was made while offline, in the order it was made.
    this.forWritten((frame) => this.write(frame));
    this.pump();
    this.publishStatus('online');
    this.settleConnect?.();
  }

  /** The connection went away: count it, mark what was sent as possibly delivered, reconnect. */
  private lost(): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.socket = undefined;
    this.stopKeepalive();
    if (this.closing || !this.established) return;
    this.trouble();
    if (wasConnected) this.forWritten(markDuplicate);
    this.reconnectTimer = setTimeout(() => this.reconnect(), this.reconnectDelay);
    this.reconnectDelay = Math.min(5_000, this.reconnectDelay * 2);
  }

  /** The messages written and not acknowledged, oldest first. */
  private forWritten(fn: (frame: Buffer) => void): void {
    let n = this.written;
    for (const frame of this.inFlight.values()) {
      if (n-- <= 0) return;
      fn(frame);
    }
  }

  private reconnect(): void {
    if (this.closing) return;
    // A refusal or failure is counted once (by `lost`, when its socket closes) and retried from there.
    this.open().catch(() => undefined);
  }

  private trouble(): void {
    this.opts.counts.troubles++;
  }

  private startHeartbeat(): void {
    const heartbeatS = this.opts.heartbeatS ?? 60;
    if (heartbeatS === false) return;
    const beat = () => {
      this.heartbeat();
      this.heartbeatTimer = this.clock.setTimeout(beat, heartbeatS * 1000);
    };
    beat();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** PINGREQ when a keep-alive period went by without anything written. */
  private startKeepalive(): void {
    this.stopKeepalive();
    this.wroteSincePing = false;
    this.keepaliveTimer = setInterval(
      () => {
        if (!this.wroteSincePing && this.connected) this.socket?.write(PINGREQ);
        this.wroteSincePing = false;
      },
      (this.opts.keepaliveS ?? 60) * 1000,
    );
    this.keepaliveTimer.unref();
  }

  private stopKeepalive(): void {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }
}
