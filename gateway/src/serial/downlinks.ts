import { randomInt } from 'node:crypto';
import type { FrameTypeName, SerialFrame } from '@careedge/edge';
import type { Clock } from '../core/clock.js';
import type { RateLimitedLog } from '../core/rate-limited-log.js';
import type { SerialMetrics } from './metrics.js';

/** Where a logged-in base station's frames go: its port. */
export interface FrameSender {
  /** The port's label in metrics and logs. */
  readonly port: string;
  send(frame: SerialFrame): boolean;
}

interface Downlink {
  deviceId: string;
  type: FrameTypeName;
  payload: Record<string, unknown>;
  /** Given at the first send and kept, so a retransmission is the same frame. */
  linkSeq?: number;
  tries: number;
  timer?: unknown;
}

interface Station {
  /** Waiting to be sent (the base station is away, or the window is full). */
  queue: Downlink[];
  inFlight: Map<number, Downlink>;
  sender?: FrameSender;
  nextSeq: number;
}

/** Downlinks sent to one base station before waiting for an ACK, so a backlog does not time out. */
const WINDOW = 8;
/** linkSeq is a u32. */
const SEQ_LIMIT = 2 ** 32;
const randomLinkSeq = () => randomInt(SEQ_LIMIT - 1);

export interface DownlinkOptions {
  clock: Clock;
  /** A base station that stays away would otherwise log every downlink it misses. */
  log: RateLimitedLog;
  metrics: SerialMetrics;
  ackTimeoutMs: number;
  tries: number;
  /** Downlinks kept per base station, waiting and in flight. */
  queueLimit: number;
  /**
   * The first linkSeq per base station. Random by default: a base station that remembers the
   * linkSeqs it was sent (to drop retransmissions) must not take the first downlinks after a
   * gateway restart for ones it already had.
   */
  firstLinkSeq?: () => number;
}

/**
 * The downlinks for devices behind serial base stations (reassurance, thank-you, configuration),
 * per base station: sent while it is logged in, sent again until it ACKs (bounded tries), and kept
 * while it is away (bounded, oldest dropped first), so a reassurance survives a short unplug.
 */
export class Downlinks {
  private readonly stations = new Map<string, Station>();

  constructor(private readonly o: DownlinkOptions) {}

  /** A downlink for `deviceId` behind base station `via`. */
  enqueue(via: string, deviceId: string, type: FrameTypeName, payload: Record<string, unknown>): void {
    const station = this.station(via);
    // Configuration is retained state: only the newest one is worth sending.
    if (type === 'configuration') this.forget(station, (d) => d.type === type && d.deviceId === deviceId);
    station.queue.push({ deviceId, type, payload, tries: 0 });
    while (station.queue.length > 0 && station.queue.length + station.inFlight.size > this.o.queueLimit) {
      const dropped = station.queue.shift()!;
      this.o.metrics.downlinksDropped.inc({ reason: 'queue-full' });
      this.o.log.warn(
        `serial-downlinks-full/${via}`,
        { baseStation: via, device: dropped.deviceId, type: dropped.type },
        'too many downlinks waiting for a base station; the oldest is dropped',
      );
    }
    this.pump(station);
  }

  /** The base station logged in on a port: what waits for it goes out. */
  attach(via: string, sender: FrameSender): void {
    const station = this.station(via);
    if (station.sender && station.sender !== sender) this.requeue(station);
    station.sender = sender;
    this.pump(station);
  }

  /** The port lost its base station (closed, or another logged in): unacknowledged frames wait again. */
  detach(via: string, sender: FrameSender): void {
    const station = this.stations.get(via);
    if (!station || station.sender !== sender) return;
    station.sender = undefined;
    this.requeue(station);
  }

  /** The base station acknowledged (or refused: `refusal`) the downlink `linkSeq`. */
  answered(via: string, linkSeq: number, refusal?: string): boolean {
    const station = this.stations.get(via);
    const d = station?.inFlight.get(linkSeq);
    if (!station || !d) return false;
    this.o.clock.clearTimeout(d.timer);
    station.inFlight.delete(linkSeq);
    if (refusal !== undefined) {
      this.o.metrics.downlinksDropped.inc({ reason: 'refused' });
      this.o.log.warn(
        `serial-downlink-refused/${via}`,
        { baseStation: via, device: d.deviceId, type: d.type, reason: refusal },
        'a base station refused a downlink',
      );
    }
    this.pump(station);
    return true;
  }

  stop(): void {
    for (const station of this.stations.values()) {
      for (const d of station.inFlight.values()) this.o.clock.clearTimeout(d.timer);
    }
    this.stations.clear();
  }

  private station(via: string): Station {
    let s = this.stations.get(via);
    if (!s) {
      s = { queue: [], inFlight: new Map(), nextSeq: (this.o.firstLinkSeq ?? randomLinkSeq)() };
      this.stations.set(via, s);
    }
    return s;
  }

  private pump(station: Station): void {
    while (station.sender && station.queue.length > 0 && station.inFlight.size < WINDOW) {
      const d = station.queue.shift()!;
      if (d.linkSeq === undefined) {
        d.linkSeq = station.nextSeq;
        station.nextSeq = (station.nextSeq + 1) % SEQ_LIMIT;
      }
      station.inFlight.set(d.linkSeq, d);
      this.transmit(station, d);
    }
  }

  private transmit(station: Station, d: Downlink): void {
    const sender = station.sender!;
    d.tries++;
    sender.send({ type: d.type, deviceId: d.deviceId, linkSeq: d.linkSeq!, payload: d.payload });
    this.o.metrics.frames.inc({
      port: sender.port,
      direction: 'out',
      type: d.type,
      result: d.tries === 1 ? 'sent' : 'resent',
    });
    d.timer = this.o.clock.setTimeout(() => {
      if (station.inFlight.get(d.linkSeq!) !== d) return;
      if (d.tries < this.o.tries) {
        this.transmit(station, d);
        return;
      }
      station.inFlight.delete(d.linkSeq!);
      this.o.metrics.frames.inc({ port: sender.port, direction: 'out', type: d.type, result: 'given-up' });
      this.o.metrics.downlinksDropped.inc({ reason: 'given-up' });
      this.o.log.warn(
        `serial-downlink-given-up/${sender.port}`,
        { port: sender.port, device: d.deviceId, type: d.type, tries: d.tries },
        'a base station never acknowledged a downlink; given up',
      );
      this.pump(station);
    }, this.o.ackTimeoutMs);
  }

  /** In-flight downlinks back to the front of the queue, in the order they were first sent. */
  private requeue(station: Station): void {
    const back = [...station.inFlight.values()];
    for (const d of back) {
      this.o.clock.clearTimeout(d.timer);
      d.tries = 0;
    }
    station.inFlight.clear();
    station.queue.unshift(...back);
  }

  private forget(station: Station, match: (d: Downlink) => boolean): void {
    station.queue = station.queue.filter((d) => !match(d));
    for (const [seq, d] of station.inFlight) {
      if (!match(d)) continue;
      this.o.clock.clearTimeout(d.timer);
      station.inFlight.delete(seq);
    }
  }
}
