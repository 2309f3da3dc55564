import { Duplex } from 'node:stream';
import { SLIP } from '@careedge/edge';
import { SerialPort } from 'serialport';

/**
 * An open serial port (the real node-serialport) as the duplex stream a BaseStationLink writes
 * its frames to, with line faults on demand on what it sends: noise between frames, bytes dropped
 * out of a frame, a frame whose CRC arrives wrong. The link writes one whole frame per write, so
 * a fault lands on exactly one frame. When the port goes away the stream closes.
 */
export class FaultyLine {
  readonly stream: Duplex;
  private dropNext = 0;
  private corruptNext = false;
  /** Faults applied so far. */
  readonly faults = { noiseBytes: 0, droppedBytes: 0, corruptedFrames: 0 };

  private constructor(
    private readonly port: SerialPort,
    private readonly random: () => number,
  ) {
    this.stream = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, done) => {
        if (port.isOpen) port.write(this.fault(chunk));
        done();
      },
      destroy: (err, done) => {
        if (port.isOpen) port.close();
        done(err);
      },
    });
    port.on('data', (chunk: Buffer) => this.stream.push(chunk));
    const gone = () => {
      if (!this.stream.destroyed) this.stream.destroy();
    };
    port.on('close', gone);
    // A tty whose other end vanished reports EIO; the link then waits for a new line.
    port.on('error', gone);
  }

  /** Opens `path` (115,200 baud unless told otherwise). */
  static open(path: string, opts: { baudRate?: number; random?: () => number } = {}): Promise<FaultyLine> {
    const port = new SerialPort({ path, baudRate: opts.baudRate ?? 115_200, autoOpen: false });
    return new Promise((resolve, reject) =>
      port.open((err) => (err ? reject(err) : resolve(new FaultyLine(port, opts.random ?? Math.random)))),
    );
  }

  get isOpen(): boolean {
    return this.port.isOpen && !this.stream.destroyed;
  }

  /** Writes `bytes` random bytes now, between frames (line noise: a cable near a motor). */
  noise(bytes: number): void {
    const noise = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) noise[i] = Math.floor(this.random() * 256);
    this.faults.noiseBytes += bytes;
    if (this.port.isOpen) this.port.write(noise);
  }

  /** The next frame sent loses `bytes` bytes from its middle (a cut frame: the receiver rejects it). */
  dropBytes(bytes: number): void {
    this.dropNext = bytes;
  }

  /** The next frame sent arrives with a wrong CRC (the receiver rejects it; the sender retransmits). */
  badCrc(): void {
    this.corruptNext = true;
  }

  close(): void {
    this.stream.destroy();
  }

  private fault(chunk: Buffer): Buffer {
    if (this.corruptNext && chunk.length > 3) {
      this.corruptNext = false;
      this.faults.corruptedFrames++;
      const out = Buffer.from(chunk);
      // The CRC's low byte sits just before the closing END. Flipping a bit of it (or of its escape
      // code, which swaps 0xC0 and 0xDB) leaves the framing intact: the receiver sees `bad-crc`.
      const at = out.length - 2;
      let flipped = out[at]! ^ 0x01;
      if (flipped === SLIP.END || flipped === SLIP.ESC) flipped = out[at]! ^ 0x02;
      out[at] = flipped;
      return out;
    }
    if (this.dropNext > 0 && chunk.length > this.dropNext + 2) {
      const drop = this.dropNext;
      this.dropNext = 0;
      this.faults.droppedBytes += drop;
      const from = Math.floor((chunk.length - drop) / 2);
      return Buffer.concat([chunk.subarray(0, from), chunk.subarray(from + drop)]);
    }
    return chunk;
  }
}
