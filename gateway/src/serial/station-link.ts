import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ackFrame,
  type DecodeResult,
  encodeFrame,
  FRAME_CHANNELS,
  FrameDecoder,
  isMessageFrame,
  isUpChannel,
  nackFrame,
  type SerialFrame,
  topicFor,
} from '@careedge/edge';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { RateLimitedLog } from '../core/rate-limited-log.js';
import type { WriteAhead } from '../journal/index.js';
import type { SiteRegister } from '../register/register.js';
import type { Downlinks, FrameSender } from './downlinks.js';
import type { SerialMetrics } from './metrics.js';

/** Where a message that arrived by serial goes on: the MQTT path from validation on. */
export interface MessageReceiver {
  receive(topic: string, payload: Buffer): void;
}

/** Why a frame is refused with a NACK (the base station drops it and does not send it again). */
export type Refusal =
  | 'not-logged-in'
  | 'bad-login'
  | 'wrong-base-station'
  | 'login-throttled'
  | 'unknown-device'
  | 'not-via-this-base-station'
  | 'wrong-direction';

/** After a failed hello, hellos on that port are refused unchecked for this long (each check costs ~50 ms of CPU). */
const LOGIN_PAUSE_MS = 1000;

export interface StationLinkOptions {
  /** The port's path, its label in metrics and logs. */
  port: string;
  /** The base station expected on this port (config), if any. */
  baseStation: string | undefined;
  siteId: string;
  clock: Clock;
  log: Logger;
  rejectLog: RateLimitedLog;
  metrics: SerialMetrics;
  register: Pick<SiteRegister, 'authenticate' | 'device'>;
  ingest: MessageReceiver;
  writeAhead: WriteAhead;
  downlinks: Downlinks;
  /** Writes bytes to the port; false when they were dropped. */
  write(bytes: Buffer): boolean;
  /** A base station logged in (its id) or the port lost it (undefined). */
  onStation(id: string | undefined): void;
}

/**
 * The serial link protocol on one open port, from the gateway's side: the base station logs in
 * with `hello`; its data frames become the MQTT messages they carry and go to ingest, an alarm
 * written to the journal first, and are then acknowledged; downlinks go out through `Downlinks`.
 * Frames are handled in the order they arrived, an alarm's journal write holding the ones behind
 * it (as the broker does per client). Nothing a port sends throws out of here.
 */
export class StationLink implements FrameSender {
  private readonly decoder = new FrameDecoder();
  private station: string | undefined;
  /** The last frame still waiting for its journal write: later ones wait for it, in order. */
  private held: Promise<void> | undefined;
  private loginPausedUntil = 0;
  /** The logged-in base station's secret, hashed: a repeated hello does not cost another scrypt check. */
  private verified: Buffer | undefined;
  private closed = false;

  constructor(private readonly o: StationLinkOptions) {}

  get port(): string {
    return this.o.port;
  }

  get loggedIn(): string | undefined {
    return this.station;
  }

  /** Bytes read from the port. */
  push(chunk: Buffer): void {
    let results: DecodeResult[];
    try {
      results = this.decoder.push(chunk);
    } catch (err) {
      // The decoder promises not to throw; if it ever does, the port's other frames still count.
      this.o.log.error({ err, port: this.o.port }, 'serial decoder failed');
      return;
    }
    for (const r of results) this.take(r);
  }

  send(frame: SerialFrame): boolean {
    if (this.closed) return false;
    return this.o.write(encodeFrame(frame));
  }

  /** The port closed: downlinks in flight wait for the base station's return. */
  close(): void {
    this.closed = true;
    this.logout();
  }

  private take(r: DecodeResult): void {
    if (!r.ok) {
      // Not acknowledged: the base station sends it again.
      this.o.metrics.rejections.inc({ port: this.o.port, reason: r.reason });
      this.o.rejectLog.warn(
        `serial/${this.o.port}/${r.reason}`,
        { port: this.o.port, reason: r.reason, detail: r.detail },
        'serial frame rejected; not acknowledged',
      );
      return;
    }
    const frame = r.frame;
    const earlier = this.held;
    const mine =
      earlier !== undefined ? earlier.then(() => this.handleSafely(frame)) : this.handleSafely(frame);
    if (mine !== undefined) this.hold(mine);
  }

  private hold(p: Promise<void>): void {
    this.held = p;
    void p.then(() => {
      if (this.held === p) this.held = undefined;
    });
  }

  /** Handles a frame; a promise while an alarm is being written ahead. Never throws or rejects. */
  private handleSafely(frame: SerialFrame): Promise<void> | undefined {
    try {
      const p = this.handle(frame);
      return p?.catch((err: unknown) => this.failed(frame, err));
    } catch (err) {
      this.failed(frame, err);
      return undefined;
    }
  }

  private failed(frame: SerialFrame, err: unknown): void {
    this.o.metrics.frames.inc({ port: this.o.port, direction: 'in', type: frame.type, result: 'error' });
    this.o.log.error(
      { err, port: this.o.port, type: frame.type },
      'internal error while handling a serial frame',
    );
  }

  private handle(frame: SerialFrame): Promise<void> | undefined {
    switch (frame.type) {
      case 'hello':
        this.hello(frame);
        return undefined;
      case 'ack':
      case 'nack':
        this.answer(frame);
        return undefined;
      default:
        return this.data(frame);
    }
  }

  private hello(frame: SerialFrame): void {
    const id = frame.deviceId;
    const now = this.o.clock.now();
    if (now < this.loginPausedUntil) {
      this.refuse(frame, 'login-throttled');
      return;
    }
    // Before the secret's check (~50 ms of CPU): a station on the wrong port (cables swapped)
    // saying hello at its own pace must not keep the gateway hashing.
    if (this.o.baseStation !== undefined && this.o.baseStation !== id) {
      this.logout();
      this.refuse(frame, 'wrong-base-station', `this port expects base station "${this.o.baseStation}"`);
      return;
    }
    const secret = frame.payload.secret;
    const hashed = typeof secret === 'string' ? createHash('sha256').update(secret).digest() : undefined;
    const again =
      this.station === id &&
      hashed !== undefined &&
      this.verified !== undefined &&
      timingSafeEqual(hashed, this.verified);
    const principal =
      again || typeof secret !== 'string' ? undefined : this.o.register.authenticate(id, secret);
    const isStation =
      again || (principal?.kind === 'device' && this.o.register.device(id)?.kind === 'base-station');
    if (!isStation) {
      this.loginPausedUntil = now + LOGIN_PAUSE_MS;
      this.logout();
      this.refuse(frame, 'bad-login');
      return;
    }
    this.ack(frame);
    this.o.metrics.frames.inc({ port: this.o.port, direction: 'in', type: 'hello', result: 'login' });
    if (this.station !== id) {
      this.logout();
      this.station = id;
      const firmware = frame.payload.firmware;
      this.o.log.info({ port: this.o.port, baseStation: id, firmware }, 'base station logged in');
      this.o.onStation(id);
    }
    this.verified = hashed;
    // Also on a repeated hello (the base station restarted): what was in flight is sent again.
    this.o.downlinks.detach(id, this);
    this.o.downlinks.attach(id, this);
  }

  private logout(): void {
    const was = this.station;
    if (was === undefined) return;
    this.station = undefined;
    this.verified = undefined;
    this.o.downlinks.detach(was, this);
    this.o.onStation(undefined);
  }

  private answer(frame: SerialFrame): void {
    const refusal = frame.type === 'nack' ? String(frame.payload.reason ?? '') : undefined;
    const known =
      this.station !== undefined && this.o.downlinks.answered(this.station, frame.linkSeq, refusal);
    // A late or repeated ACK for a frame already answered: harmless, counted.
    this.o.metrics.frames.inc({
      port: this.o.port,
      direction: 'in',
      type: frame.type,
      result: known ? 'matched' : 'unmatched',
    });
  }

  /** A device's message: checked against the register, written ahead when an alarm, handed on, acknowledged. */
  private data(frame: SerialFrame): Promise<void> | undefined {
    const channel = isMessageFrame(frame.type) ? FRAME_CHANNELS[frame.type] : undefined;
    const station = this.station;
    if (channel === undefined || !isUpChannel(channel)) {
      this.refuse(frame, 'wrong-direction', `a base station does not send "${frame.type}" frames`);
      return undefined;
    }
    if (station === undefined) {
      this.refuse(frame, 'not-logged-in');
      return undefined;
    }
    const device = this.o.register.device(frame.deviceId);
    if (!device) {
      this.refuse(frame, 'unknown-device', `no device "${frame.deviceId}" in the site register`);
      return undefined;
    }
    // The base station's own heartbeat and status are its supervision; every other device is behind it.
    if (device.via !== station && device.id !== station) {
      const detail = device.via
        ? `${device.id} is assigned to base station "${device.via}"`
        : `${device.id} is assigned to no base station`;
      this.refuse(frame, 'not-via-this-base-station', detail);
      return undefined;
    }
    const topic = topicFor(channel, this.o.siteId, device.id);
    const payload = Buffer.from(JSON.stringify(frame.payload));
    const write = this.o.writeAhead(topic, payload);
    const handOn = () => {
      // Ingest validates the payload and counts what it refuses. A frame whose message is not
      // valid is acknowledged all the same: sent again it would never become valid, and an
      // unacknowledged frame would keep the base station retransmitting it in front of alarms.
      this.o.ingest.receive(topic, payload);
      if (write !== undefined) this.o.writeAhead.durable();
      this.o.metrics.frames.inc({ port: this.o.port, direction: 'in', type: frame.type, result: 'accepted' });
      this.ack(frame);
    };
    if (!write) {
      handOn();
      return undefined;
    }
    return write.then(handOn);
  }

  private ack(frame: SerialFrame): void {
    this.send(ackFrame(frame));
  }

  private refuse(frame: SerialFrame, reason: Refusal, detail?: string): void {
    this.o.metrics.frames.inc({ port: this.o.port, direction: 'in', type: frame.type, result: 'refused' });
    this.o.metrics.rejections.inc({ port: this.o.port, reason });
    // Per device only for the register's devices: an id the sender made up must not get a log
    // line (and a limiter key) of its own.
    const who = this.o.register.device(frame.deviceId) ? frame.deviceId : 'unknown';
    this.o.rejectLog.warn(
      `serial/${this.o.port}/${reason}/${who}`,
      { port: this.o.port, type: frame.type, device: frame.deviceId, reason, ...(detail ? { detail } : {}) },
      'serial frame refused (NACK)',
    );
    this.send(nackFrame(frame, reason));
  }
}
