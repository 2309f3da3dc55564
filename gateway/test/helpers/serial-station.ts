import { ackFrame, encodeFrame, FrameDecoder, type FrameTypeName, type SerialFrame } from '@careedge/edge';
import { SerialPort } from 'serialport';
import { secretOf } from './gateway.js';

/**
 * The base station's end of a PTY pair, for tests that need to put exact bytes on the line
 * (a retransmission with the same linkSeq, a corrupted frame): real node-serialport, every frame
 * the gateway sends kept in an inbox; `next()` resolves on the first match (already read or still
 * to come). Downlinks are acknowledged unless `autoAck` is off.
 */
export class SerialStation {
  private readonly decoder = new FrameDecoder();
  private readonly inbox: SerialFrame[] = [];
  private waiters: { match: (f: SerialFrame) => boolean; resolve: (f: SerialFrame) => void }[] = [];
  private seq = 1;
  /** Every frame received, kept (the inbox loses what `next()` took). */
  readonly received: SerialFrame[] = [];
  autoAck = true;

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      for (const r of this.decoder.push(chunk)) if (r.ok) this.take(r.frame);
    });
    port.on('error', () => {
      /* the test unplugs the pair; the gateway side is what is under test */
    });
  }

  static async open(path: string): Promise<SerialStation> {
    const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new SerialStation(port);
  }

  private take(frame: SerialFrame): void {
    this.received.push(frame);
    if (this.autoAck && frame.type !== 'ack' && frame.type !== 'nack') this.send(ackFrame(frame));
    const w = this.waiters.find((x) => x.match(frame));
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(frame);
    } else this.inbox.push(frame);
  }

  /** Writes a frame; returns its bytes (to send them again, or corrupt them). */
  send(frame: SerialFrame): Buffer {
    const bytes = encodeFrame(frame);
    this.write(bytes);
    return bytes;
  }

  write(bytes: Buffer): void {
    this.port.write(bytes);
  }

  /** A data frame for `deviceId` with the next linkSeq. */
  frame(type: FrameTypeName, deviceId: string, payload: Record<string, unknown>): SerialFrame {
    return { type, deviceId, linkSeq: this.seq++, payload };
  }

  /** Sends `hello` as `id` and resolves with the gateway's answer (ack or nack). */
  async hello(id: string, secret = secretOf(id)): Promise<SerialFrame> {
    const f = this.frame('hello', id, { secret, firmware: 'test-1.0' });
    this.send(f);
    return this.answerTo(f);
  }

  /** The gateway's ack or nack of `f`. */
  answerTo(f: SerialFrame, timeoutMs?: number): Promise<SerialFrame> {
    return this.next((x) => (x.type === 'ack' || x.type === 'nack') && x.linkSeq === f.linkSeq, timeoutMs);
  }

  next(match: (f: SerialFrame) => boolean = () => true, timeoutMs = 5000): Promise<SerialFrame> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(`no matching serial frame within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`),
        );
      }, timeoutMs);
      const done = (f: SerialFrame) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  async close(): Promise<void> {
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
