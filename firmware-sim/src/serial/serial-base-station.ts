import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { DownFrameName, FramePayload, SerialFrame, UpFrameName } from '@careedge/edge';
import type { Clock } from '../clock.js';
import { BaseStationLink } from '../devices/base-station-link.js';
import { FaultyLine } from './faulty-line.js';

export interface SerialBaseStationOptions {
  /** The base station's end of the serial line (a PTY pair's `b`, a USB adapter). */
  path: string;
  baudRate?: number;
  /** Its device id and secret in the site file (`kind: base-station`). */
  baseStationId: string;
  secret: string;
  firmware?: string;
  clock: Clock;
  /** Unanswered frames go again after this long (BaseStationLink; default 1 s). */
  retransmitMs?: number;
  /** How often a lost line is looked for again, and an open one checked for its path (default 200 ms). */
  reopenMs?: number;
  random?: () => number;
}

export type Downlink = SerialFrame & { type: DownFrameName };

export interface SerialBaseStationEvents {
  /** The line is open and the gateway ACKed the hello. */
  up: [];
  /** The line went away (unplugged); frames wait. */
  down: [];
  /** A downlink for one of the devices behind it. */
  downlink: [Downlink];
  /** Opening the line failed, or the hello was refused. */
  trouble: [Error];
}

/**
 * A radio base station (or a wired kiosk's line) on a real serial port: the serial link protocol
 * through BaseStationLink, over node-serialport. Like firmware on a USB cable it copes with the
 * cable: when the line goes (socat killed, the path vanished) frames wait, and it opens the line
 * again as soon as the path is back and says hello, then sends what waited. Faults on demand
 * (noise, dropped bytes, a bad CRC) are injected on its line.
 */
export class SerialBaseStation extends EventEmitter<SerialBaseStationEvents> {
  readonly link: BaseStationLink;
  private line: FaultyLine | undefined;
  private timer: unknown;
  private opening = false;
  private closed = false;
  private readonly reopenMs: number;
  /** Times the line was opened again after it went away. */
  reopened = 0;

  constructor(private readonly o: SerialBaseStationOptions) {
    super();
    this.reopenMs = o.reopenMs ?? 200;
    this.link = new BaseStationLink({
      baseStationId: o.baseStationId,
      secret: o.secret,
      clock: o.clock,
      ...(o.firmware ? { firmware: o.firmware } : {}),
      ...(o.retransmitMs ? { retransmitMs: o.retransmitMs } : {}),
    });
    this.link.onDownlink((frame) => this.emit('downlink', frame));
  }

  get id(): string {
    return this.o.baseStationId;
  }

  /** Line open and logged in. */
  get ready(): boolean {
    return this.link.ready;
  }

  /** Opens the line and logs in; resolves once the gateway ACKed the hello. */
  async start(): Promise<void> {
    const line = await this.openLine();
    this.line = line;
    this.watch(line);
    await this.link.reconnect(line.stream);
    this.emit('up');
  }

  /** Sends a device's message through the link; resolves on ACK, rejects (FrameRefused) on NACK. */
  send<T extends UpFrameName>(type: T, deviceId: string, payload: FramePayload<T>): Promise<void> {
    return this.link.send(type, deviceId, payload);
  }

  /** Fault: `bytes` random bytes on the line now. */
  noise(bytes: number): void {
    this.line?.noise(bytes);
  }

  /** Fault: the next frame loses `bytes` bytes. */
  dropBytes(bytes: number): void {
    this.line?.dropBytes(bytes);
  }

  /** Fault: the next frame has a wrong CRC. */
  badCrc(): void {
    this.line?.badCrc();
  }

  /** Stops for good: unanswered frames are rejected (LinkClosed). */
  close(): void {
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    this.link.close();
    this.line?.close();
    this.line = undefined;
  }

  private openLine(): Promise<FaultyLine> {
    return FaultyLine.open(this.o.path, {
      ...(this.o.baudRate ? { baudRate: this.o.baudRate } : {}),
      ...(this.o.random ? { random: this.o.random } : {}),
    });
  }

  /**
   * A PTY (or USB adapter) whose other end is gone does not always say so: its path vanishing
   * does. Either way the line is dropped and looked for again.
   */
  private watch(line: FaultyLine): void {
    const check = () => {
      if (this.closed || this.line !== line) return;
      if (!line.isOpen || !existsSync(this.o.path)) {
        this.lost(line);
        return;
      }
      this.timer = this.o.clock.setTimeout(check, this.reopenMs);
    };
    line.stream.once('close', () => this.lost(line));
    this.timer = this.o.clock.setTimeout(check, this.reopenMs);
  }

  private lost(line: FaultyLine): void {
    if (this.line !== line) return;
    this.line = undefined;
    this.o.clock.clearTimeout(this.timer);
    line.close();
    this.link.disconnect();
    this.emit('down');
    this.retry();
  }

  private retry(): void {
    if (this.closed) return;
    this.timer = this.o.clock.setTimeout(() => void this.reopen(), this.reopenMs);
  }

  private async reopen(): Promise<void> {
    if (this.closed || this.opening || this.line) return;
    if (!existsSync(this.o.path)) {
      this.retry();
      return;
    }
    this.opening = true;
    try {
      const line = await this.openLine();
      if (this.closed) {
        line.close();
        return;
      }
      this.line = line;
      this.reopened++;
      this.watch(line);
      // The hello is retransmitted until the gateway (reopening its own end with backoff) answers.
      this.link.reconnect(line.stream).then(
        () => this.emit('up'),
        (err: Error) => this.emit('trouble', err),
      );
    } catch (err) {
      this.emit('trouble', err as Error);
      this.retry();
    } finally {
      this.opening = false;
    }
  }
}
