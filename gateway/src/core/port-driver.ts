import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

/** The part of node-serialport's SerialPort the driver uses, so a test can hand in another. */
export interface SerialStream {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(chunk: Buffer): boolean;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'close' | 'drain', fn: () => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
}

export type OpenSerial = (o: { path: string; baudRate: number }) => SerialStream;

/** How often an open port's device path is looked at (see watch()). */
export const PATH_CHECK_MS = 1000;

/** A fresh SerialPort per attempt: one that closed on an unplug is not opened again. */
export const openSerialPort: OpenSerial = ({ path, baudRate }) =>
  new SerialPort({ path, baudRate, autoOpen: false }) as unknown as SerialStream;

export interface PortDriverOptions {
  path: string;
  baudRate: number;
  clock: Clock;
  log: Logger;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Frames held while the driver waits for 'drain'. */
  writeQueue: number;
  open?: OpenSerial;
  /** [0, 1), for the jitter. */
  random?: () => number;
  /** Whether the device path is there; tests may fake it. */
  exists?: (path: string) => boolean;
  onData(chunk: Buffer): void;
  /** The port opened (`reconnect`: after having been closed or failing). */
  onUp(reconnect: boolean): void;
  /** The port closed or failed to open; called once per outage. */
  onDown(reason: string): void;
  /** A frame the write queue could not take. */
  onDropped(): void;
}

/**
 * One serial port that stays open: after an unplug, a read error or a failed open it is opened
 * again with exponential backoff and jitter on the injected clock, for as long as the gateway
 * runs. Shared by the serial base stations (serial/) and the GSM modem (sms/). An outage is logged when it starts and when it ends, not per attempt. Writes respect
 * backpressure: when the driver says to wait, frames are queued (bounded) until 'drain'.
 */
export class PortDriver {
  private port: SerialStream | undefined;
  private open = false;
  private stopped = true;
  private failures = 0;
  private timer: unknown;
  private watchTimer: unknown;
  /** Since when the port is down, for the log line when it is back; undefined while up. */
  private downSince: number | undefined;
  private readonly queued: Buffer[] = [];
  private waitingForDrain = false;

  constructor(private readonly o: PortDriverOptions) {}

  get isUp(): boolean {
    return this.open;
  }

  start(): void {
    this.stopped = false;
    this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.watchTimer);
    const port = this.port;
    this.port = undefined;
    this.open = false;
    this.queued.length = 0;
    if (!port?.isOpen) return;
    // Its listeners stay: they ignore a port that is no longer this.port, and an 'error' with no
    // listener would crash the gateway.
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Writes a frame, or queues it while the driver asks to wait; false when it is dropped. */
  write(frame: Buffer): boolean {
    const port = this.port;
    if (!port || !this.open) return false;
    if (this.waitingForDrain) {
      if (this.queued.length >= this.o.writeQueue) {
        this.o.onDropped();
        return false;
      }
      this.queued.push(frame);
      return true;
    }
    this.waitingForDrain = !port.write(frame);
    return true;
  }

  /**
   * Closes the open port and opens it again with the usual backoff, reported as an outage: for a
   * device that stopped answering though its port is still there (a hung modem).
   */
  reopen(reason: string): void {
    const port = this.port;
    if (!port || !this.open) return;
    this.lost(reason);
    port.close();
  }

  private attempt(): void {
    if (this.stopped) return;
    let port: SerialStream;
    try {
      port = this.o.open ? this.o.open(this.o) : openSerialPort(this.o);
    } catch (err) {
      this.failed((err as Error).message);
      return;
    }
    this.port = port;
    // A port that errors while open is closed, which reopens it; 'close' comes once either way.
    port.on('error', (err) => {
      if (this.port !== port) return;
      this.o.log.debug({ port: this.o.path, err }, 'serial port error');
      if (port.isOpen) port.close();
    });
    port.on('close', () => {
      if (this.port !== port || !this.open) return;
      this.lost('the port closed (unplugged?)');
    });
    port.on('data', (chunk) => {
      if (this.port === port) this.o.onData(chunk);
    });
    port.on('drain', () => {
      if (this.port === port) this.flush(port);
    });
    port.open((err) => {
      if (this.port !== port) {
        // Stopped while it was being opened: stop() could not close it then, so it is closed now,
        // or the tty stays held and the handle keeps a stopped gateway alive.
        if (!err) port.close();
        return;
      }
      if (err) {
        this.failed(err.message);
        return;
      }
      if (this.stopped) {
        port.close();
        return;
      }
      this.open = true;
      const reconnect = this.downSince !== undefined;
      if (reconnect) {
        this.o.log.info(
          { port: this.o.path, downForMs: this.o.clock.now() - this.downSince!, attempts: this.failures },
          'serial port open again',
        );
      }
      this.downSince = undefined;
      this.failures = 0;
      this.o.onUp(reconnect);
      this.watch(port);
    });
  }

  /**
   * A hung-up tty may never report its hangup: once the kernel has hung it up, reads return 0
   * bytes, which node-serialport reads again rather than taking for a disconnect. A USB adapter
   * that is unplugged loses its device node, so an open port whose path is gone is closed here.
   */
  private watch(port: SerialStream): void {
    this.watchTimer = this.o.clock.setTimeout(() => {
      if (this.port !== port || !this.open) return;
      if ((this.o.exists ?? existsSync)(this.o.path)) {
        this.watch(port);
        return;
      }
      this.lost('the device is gone (its path vanished)');
      port.close();
    }, PATH_CHECK_MS);
  }

  private flush(port: SerialStream): void {
    this.waitingForDrain = false;
    while (this.queued.length > 0 && !this.waitingForDrain) {
      this.waitingForDrain = !port.write(this.queued.shift()!);
    }
  }

  /** The open port closed. */
  private lost(reason: string): void {
    this.o.clock.clearTimeout(this.watchTimer);
    this.open = false;
    this.port = undefined;
    this.failed(reason);
  }

  /** An attempt failed or the port closed: once per outage it is reported, then retried. */
  private failed(reason: string): void {
    this.open = false;
    this.waitingForDrain = false;
    // Frames for a device that is gone: its owner keeps what must be sent again (the serial
    // downlink router, the SMS queue), not the driver.
    this.queued.length = 0;
    if (this.downSince === undefined) {
      this.downSince = this.o.clock.now();
      this.o.log.warn({ port: this.o.path, reason }, 'serial port down; opening it again with backoff');
      this.o.onDown(reason);
    } else {
      this.o.log.debug({ port: this.o.path, reason, attempt: this.failures }, 'serial port still down');
    }
    if (this.stopped) return;
    const { reconnectMinMs, reconnectMaxMs } = this.o;
    const ceiling = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    // Jitter on the upper half: ports on one USB hub that drop together are not reopened in step.
    const wait = Math.round(ceiling / 2 + ((this.o.random ?? Math.random)() * ceiling) / 2);
    this.timer = this.o.clock.setTimeout(() => this.attempt(), wait);
  }
}
