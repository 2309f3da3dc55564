import type { Duplex } from 'node:stream';
import {
  ackFrame,
  type DecodeResult,
  type DownFrameName,
  encodeFrame,
  FrameDecoder,
  type FramePayload,
  type FrameTypeName,
  HELLO_AGAIN_AFTER_RETRANSMISSIONS,
  isDownFrame,
  nackFrame,
  type SerialFrame,
  type UpFrameName,
} from '@careedge/edge';
import type { Clock } from '../clock.js';

export interface BaseStationLinkOptions {
  /** The base station's id in the site file: the deviceId of its hello. */
  baseStationId: string;
  secret: string;
  firmware?: string;
  clock: Clock;
  /** An unacknowledged frame is sent again (same linkSeq, same bytes) after this long. */
  retransmitMs?: number;
  /** Data frames sent and not yet answered; more wait in the queue. */
  maxInFlight?: number;
  /** linkSeq of the first frame (default 0); tests start near 2^32 to see it wrap. */
  firstLinkSeq?: number;
}

/** A frame refused by the gateway (NACK): dropped, never sent again. */
export class FrameRefused extends Error {
  constructor(
    readonly frame: SerialFrame,
    readonly reason: string,
  ) {
    super(`${frame.type} for ${frame.deviceId} (linkSeq ${frame.linkSeq}) refused: ${reason}`);
  }
}

/** The link was closed with the frame still unanswered. */
export class LinkClosed extends Error {}

interface Outgoing {
  frame: SerialFrame;
  bytes: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
  /** Times written to the line. */
  writes: number;
  /** Times written since the last hello was ACKed. */
  tries: number;
  timer?: unknown;
}

export type DownlinkHandler = (frame: SerialFrame & { type: DownFrameName }) => void;

/**
 * Downlink linkSeqs remembered so a retransmitted one (our ACK lost) is acknowledged, not delivered
 * twice; forgotten at each ACKed hello (a copy re-sent across a new login may then come twice:
 * a reassurance heard twice is better than a new one dropped).
 */
const SEEN_DOWNLINKS = 64;

/**
 * A simulated base station's side of the serial link protocol (docs/serial-protocol.md) over any
 * duplex stream (a SerialPort, a PTY, an in-memory pair): hello first, then data frames with at
 * most `maxInFlight` unanswered, each retransmitted until the gateway ACKs or NACKs it (and after
 * HELLO_AGAIN_AFTER_RETRANSMISSIONS unanswered, a new hello first). While the link is down frames
 * wait; `reconnect` says hello again, then re-sends what was in flight and the queue, in order.
 */
export class BaseStationLink {
  private readonly retransmitMs: number;
  private readonly maxInFlight: number;
  private stream: Duplex | undefined;
  private decoder = new FrameDecoder();
  private nextSeq = 0;
  private hello_: Outgoing | undefined;
  private loggedIn = false;
  private closed = false;
  private readonly inFlight = new Map<number, Outgoing>();
  private readonly queue: Outgoing[] = [];
  private readonly handlers: DownlinkHandler[] = [];
  private readonly seenDownlinks: number[] = [];
  /** Counters for tests and the bench. */
  readonly stats = { sent: 0, retransmitted: 0, acked: 0, refused: 0, rejected: 0, downlinks: 0 };
  /** Every rejection the decoder reported, for tests. */
  readonly rejections: DecodeResult[] = [];

  constructor(
    private readonly opts: BaseStationLinkOptions,
    stream?: Duplex,
  ) {
    this.retransmitMs = opts.retransmitMs ?? 1000;
    this.maxInFlight = opts.maxInFlight ?? 4;
    this.nextSeq = opts.firstLinkSeq ?? 0;
    if (stream) this.attach(stream);
  }

  get connected(): boolean {
    return this.stream !== undefined;
  }

  get ready(): boolean {
    return this.connected && this.loggedIn;
  }

  /** Frames sent and not answered, and frames waiting to be sent. */
  get pending(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight.size, queued: this.queue.length };
  }

  /** Says who is on the line; resolves when the gateway ACKs, rejects (FrameRefused) on NACK. */
  hello(): Promise<void> {
    if (this.closed) return this.closedError();
    this.loggedIn = false;
    const payload = {
      secret: this.opts.secret,
      ...(this.opts.firmware ? { firmware: this.opts.firmware } : {}),
    };
    const { out, done } = this.outgoing('hello', this.opts.baseStationId, payload);
    const earlier = this.hello_;
    if (earlier) {
      // A hello still unanswered is replaced: whoever waits on it gets this one's answer.
      this.stopTimer(earlier);
      done.then(earlier.resolve, earlier.reject);
    }
    this.hello_ = out;
    this.transmit(out);
    return done;
  }

  /** Sends a device's message; resolves on ACK, rejects (FrameRefused) on NACK. */
  send<T extends UpFrameName>(type: T, deviceId: string, payload: FramePayload<T>): Promise<void> {
    if (this.closed) return this.closedError();
    const { out, done } = this.outgoing(type, deviceId, payload as Record<string, unknown>);
    this.queue.push(out);
    this.pump();
    return done;
  }

  /** Reassurance, thank-you and configuration frames for devices behind this base station. */
  onDownlink(handler: DownlinkHandler): void {
    this.handlers.push(handler);
  }

  /** The line went away (cable pulled, port closed): frames wait until `reconnect`. */
  disconnect(): void {
    const stream = this.stream;
    if (!stream) return;
    this.detach();
    stream.destroy();
  }

  /** A new line: says hello again, then re-sends the frames in flight and the queue. */
  reconnect(stream: Duplex): Promise<void> {
    this.disconnect();
    this.attach(stream);
    return this.hello();
  }

  /** Stops for good: every unanswered frame is rejected with LinkClosed. */
  close(): void {
    this.closed = true;
    this.disconnect();
    const all = [...(this.hello_ ? [this.hello_] : []), ...this.inFlight.values(), ...this.queue];
    this.hello_ = undefined;
    this.inFlight.clear();
    this.queue.length = 0;
    for (const out of all) {
      this.stopTimer(out);
      out.reject(new LinkClosed(`link of ${this.opts.baseStationId} closed`));
    }
  }

  private closedError(): Promise<never> {
    return Promise.reject(new LinkClosed(`link of ${this.opts.baseStationId} is closed`));
  }

  private outgoing(type: FrameTypeName, deviceId: string, payload: Record<string, unknown>) {
    const frame: SerialFrame = { type, deviceId, linkSeq: this.nextSeq, payload };
    this.nextSeq = (this.nextSeq + 1) % 2 ** 32; // u32, wraps per direction
    const bytes = encodeFrame(frame);
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { out: { frame, bytes, resolve, reject, writes: 0, tries: 0 } satisfies Outgoing, done };
  }

  private attach(stream: Duplex): void {
    this.stream = stream;
    this.decoder = new FrameDecoder(); // a new line starts clean; half a frame from the old one is gone
    stream.on('data', this.onData);
    stream.on('end', this.onGone);
    stream.on('close', this.onGone);
    stream.on('error', this.onGone);
  }

  private detach(): void {
    const stream = this.stream;
    if (!stream) return;
    stream.off('data', this.onData);
    stream.off('end', this.onGone);
    stream.off('close', this.onGone);
    stream.off('error', this.onGone);
    this.stream = undefined;
    this.loggedIn = false;
    // Nothing can be written now; `reconnect` restarts the timers with fresh transmissions.
    for (const out of [...(this.hello_ ? [this.hello_] : []), ...this.inFlight.values()]) this.stopTimer(out);
  }

  private readonly onGone = (): void => this.detach();

  private readonly onData = (chunk: Buffer): void => {
    for (const result of this.decoder.push(chunk)) {
      if (result.ok) this.receive(result.frame);
      else {
        this.stats.rejected++;
        this.rejections.push(result);
      }
    }
  };

  private receive(frame: SerialFrame): void {
    switch (frame.type) {
      case 'ack':
      case 'nack':
        this.answer(frame);
        return;
      default:
        if (isDownFrame(frame.type)) this.downlink(frame as SerialFrame & { type: DownFrameName });
        else this.reply(nackFrame(frame, `a base station does not take ${frame.type} frames`));
    }
  }

  private answer(frame: SerialFrame): void {
    const hello = this.hello_;
    const isHello = hello !== undefined && hello.frame.linkSeq === frame.linkSeq;
    const out = isHello ? hello : this.inFlight.get(frame.linkSeq);
    if (!out || out.frame.deviceId !== frame.deviceId) return; // late answer to a frame already settled
    this.stopTimer(out);
    if (isHello) this.hello_ = undefined;
    else this.inFlight.delete(frame.linkSeq);
    if (frame.type === 'ack') {
      this.stats.acked++;
      out.resolve();
      if (isHello) {
        this.loggedIn = true;
        // A new session: the gateway (perhaps restarted) numbers its downlinks afresh, so a
        // linkSeq seen before this hello may be a new frame and must not be dropped as a copy.
        this.seenDownlinks.length = 0;
      }
    } else {
      this.stats.refused++;
      out.reject(new FrameRefused(out.frame, String(frame.payload.reason)));
    }
    if (isHello && this.loggedIn) {
      // A snapshot, and only those still unanswered: an answer can arrive inside a write.
      for (const f of [...this.inFlight.values()]) {
        f.tries = 0;
        if (this.inFlight.get(f.frame.linkSeq) === f) this.transmit(f);
      }
    }
    this.pump();
  }

  private downlink(frame: SerialFrame & { type: DownFrameName }): void {
    this.reply(ackFrame(frame));
    if (this.seenDownlinks.includes(frame.linkSeq)) return;
    this.seenDownlinks.push(frame.linkSeq);
    if (this.seenDownlinks.length > SEEN_DOWNLINKS) this.seenDownlinks.shift();
    this.stats.downlinks++;
    for (const handler of this.handlers) handler(frame);
  }

  private reply(answer: SerialFrame): void {
    this.stream?.write(encodeFrame(answer));
  }

  /** Moves queued frames into flight while the link is up and logged in. */
  private pump(): void {
    while (this.ready && this.inFlight.size < this.maxInFlight && this.queue.length > 0) {
      const out = this.queue.shift()!;
      this.inFlight.set(out.frame.linkSeq, out);
      this.transmit(out);
    }
  }

  private transmit(out: Outgoing): void {
    if (!this.stream) return; // sent on reconnect
    out.tries++;
    if (out.writes++ === 0) this.stats.sent++;
    else this.stats.retransmitted++;
    // Timer first: a stream may deliver the answer inside write(), and that answer must find it.
    this.stopTimer(out);
    out.timer = this.opts.clock.setTimeout(() => {
      out.timer = undefined;
      if (out !== this.hello_ && out.tries > HELLO_AGAIN_AFTER_RETRANSMISSIONS) this.helloAgain();
      else this.transmit(out);
    }, this.retransmitMs);
    this.stream.write(out.bytes);
  }

  /**
   * No answer for a while: the gateway may have lost the hello (it restarted). Everything in
   * flight waits for a new hello's ACK and then goes again, as after a reconnect.
   */
  private helloAgain(): void {
    if (this.hello_) return;
    for (const f of this.inFlight.values()) this.stopTimer(f);
    this.hello().catch(() => undefined); // a refused hello leaves the frames waiting, as the first one would
  }

  private stopTimer(out: Outgoing): void {
    if (out.timer === undefined) return;
    this.opts.clock.clearTimeout(out.timer);
    out.timer = undefined;
  }
}
