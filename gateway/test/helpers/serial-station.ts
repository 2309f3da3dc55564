import { fileURLToPath } from 'node:url';
import { ackFrame, encodeFrame, FrameDecoder, type FrameTypeName, type SerialFrame } from '@careedge/edge';
import { SerialPort } from 'serialport';
import type { DeepPartial } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { secretOf, type TestGateway, testGateway } from './gateway.js';
import { type PtyPair, ptyPair } from './pty-pair.js';

export const SERIAL_SITE = fileURLToPath(new URL('../fixtures/serial-site.yaml', import.meta.url));

/** Polls (real time) until `ok()` holds; each round may move the gateway's fake clock by `tickMs`. */
export async function eventually(
  g: TestGateway,
  ok: () => Promise<boolean> | boolean,
  what: string,
  tickMs = 0,
): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (tickMs > 0) await g.tick(tickMs);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A gateway on the serial test site serving `pairs` PTY pairs (its end `a`; the first port
 * expecting `baseStation`, if given), once every port is open, and a base station's end of the
 * first pair. What it opens is closed by the functions pushed onto `cleanups`.
 */
export async function serialGateway(
  cleanups: (() => Promise<void>)[],
  opts: { baseStation?: string; pairs?: number } = {},
): Promise<{ g: TestGateway; ptys: PtyPair[]; station: SerialStation; port: string }> {
  const ptys: PtyPair[] = [];
  for (let i = 0; i < (opts.pairs ?? 1); i++) {
    const p = await ptyPair();
    cleanups.push(() => p.close());
    ptys.push(p);
  }
  const serial: DeepPartial<GatewayConfig['serial']> = {
    ports: ptys.map((p, i) => ({
      path: p.a,
      ...(i === 0 && opts.baseStation ? { baseStation: opts.baseStation } : {}),
    })),
    reconnectMinMs: 500,
    reconnectMaxMs: 2000,
  };
  const g = await testGateway({ siteFile: SERIAL_SITE, serial } as DeepPartial<GatewayConfig>);
  cleanups.push(() => g.stop());
  for (const p of ptys)
    await eventually(
      g,
      async () => (await g.metric('careedge_serial_link_up', { port: p.a })) === 1,
      'the port to open',
    );
  const station = await SerialStation.open(ptys[0]!.b);
  cleanups.push(() => station.close());
  return { g, ptys, station, port: ptys[0]!.a };
}

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
