import { type PtyPair, ptyPair } from '@careedge/gateway/harness/pty-pair';
import { SerialPort } from 'serialport';
import { type Clock, systemClock } from '../clock.js';

const CTRL_Z = 0x1a;
const ESC = 0x1b;

/** A message the simulated modem "sent". */
export interface SimSms {
  number: string;
  text: string;
  /** Its message reference, as answered in `+CMGS: <mr>`. */
  mr: number;
  at: number;
}

/** How a message is refused: `+CMS ERROR: <cms>`, or a plain ERROR. */
export type SendFault = { cms: number } | 'error';

export interface GsmModemSimOptions {
  /** The clock slow answers wait on (the system clock unless given). */
  clock?: Clock;
  baudRate?: number;
}

/**
 * A GSM modem on a pseudo-terminal pair (socat): the gateway opens `path`, the simulator answers
 * on the other end the AT commands a sender needs (3GPP TS 27.005 text mode: AT, ATE0/1,
 * AT+CMGF, AT+CSCS, AT+CMGS with its `> ` prompt, Ctrl-Z to send, ESC to abandon) and records the
 * messages it "sent". It starts as a modem powered on does: echo on, PDU mode (AT+CMGF=0), so a
 * sender that skips its set-up gets ERROR. Faults on demand: messages refused (+CMS ERROR, ERROR),
 * silence for the next commands (a hung modem), garbage and unsolicited lines, slow answers, an
 * unplug and replug (the modem powers up again).
 */
export class GsmModemSim {
  /** Messages sent, in order. */
  readonly sent: SimSms[] = [];
  /** Every command line received (AT…), and `<text>` for each message's text, in order. */
  readonly received: string[] = [];
  /** Numbers of messages abandoned with ESC at the prompt. */
  readonly abandoned: string[] = [];
  private port: SerialPort | undefined;
  private buf = '';
  private echo = true;
  private textMode = false;
  /** The number of the message being typed, after the prompt. */
  private typingTo: string | undefined;
  private nextMr = 0;
  private faults: SendFault[] = [];
  private commandFaults: SendFault[] = [];
  private silentFor = 0;
  private slowMs = 0;
  private interjections: string[] = [];
  private readonly clock: Clock;

  private constructor(
    private readonly pty: PtyPair,
    private readonly o: GsmModemSimOptions,
  ) {
    this.clock = o.clock ?? systemClock;
  }

  /** A modem on a new PTY pair, answering on its end. */
  static async start(o: GsmModemSimOptions = {}): Promise<GsmModemSim> {
    const sim = new GsmModemSim(await ptyPair(), o);
    await sim.openLine();
    return sim;
  }

  /** The end for the gateway (`sms.port`). */
  get path(): string {
    return this.pty.a;
  }

  /** The next `n` messages are refused after their text with `fault` (default +CMS ERROR: 500). */
  failSends(n: number, fault: SendFault = { cms: 500 }): void {
    for (let i = 0; i < n; i++) this.faults.push(fault);
  }

  /** The next `n` command lines are refused with `fault` (a modem without a SIM, or one still booting). */
  failCommands(n: number, fault: SendFault = 'error'): void {
    for (let i = 0; i < n; i++) this.commandFaults.push(fault);
  }

  /** The next `n` commands or message texts get no answer at all (and such a message is not sent). */
  hang(n: number): void {
    this.silentFor += n;
  }

  /** Every answer (and prompt) comes `ms` later on the simulator's clock; 0: at once. */
  slow(ms: number): void {
    this.slowMs = ms;
  }

  /** The next answer has these lines in its middle (after its first line), as a modem's URCs do. */
  interject(...lines: string[]): void {
    this.interjections.push(...lines);
  }

  /** Writes an unsolicited result code now (`RING`, `+CMTI: "SM",3`, `^BOOT:…`). */
  unsolicited(line: string): void {
    this.write(`\r\n${line}\r\n`);
  }

  /** Writes `lines` lines of line noise now (no CR, LF, Ctrl-Z or ESC in them). */
  garbage(lines = 1): void {
    for (let i = 0; i < lines; i++) this.write(`\r\n#~${'\x7f\x05\xfe'.repeat(i + 1)}%?@!\r\n`);
  }

  /** Pulls the USB cable: the PTY pair goes away (the gateway's port with it). */
  async unplug(): Promise<void> {
    await this.closeLine();
    await this.pty.unplug();
  }

  /** Plugs it in again: same path, and a modem that powered up again (echo on, PDU mode). */
  async plug(): Promise<void> {
    await this.pty.plug();
    this.echo = true;
    this.textMode = false;
    this.typingTo = undefined;
    await this.openLine();
  }

  async close(): Promise<void> {
    await this.closeLine();
    await this.pty.close();
  }

  private async openLine(): Promise<void> {
    const port = new SerialPort({ path: this.pty.b, baudRate: this.o.baudRate ?? 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.buf = '';
    port.on('data', (chunk: Buffer) => this.read(chunk));
    // The gateway's end vanishing (socat killed) reports EIO here; unplug() closes the line.
    port.on('error', () => {});
    this.port = port;
  }

  private async closeLine(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private write(text: string): void {
    if (this.port?.isOpen) this.port.write(Buffer.from(text, 'latin1'));
  }

  private read(chunk: Buffer): void {
    for (const byte of chunk) {
      if (this.typingTo !== undefined) this.typing(byte);
      else this.commandByte(byte);
    }
  }

  private commandByte(byte: number): void {
    if (byte === ESC || byte === CTRL_Z) return; // nothing being typed: ignored, as modems do
    if (this.echo) this.write(String.fromCharCode(byte));
    if (byte === 0x0a) return;
    if (byte !== 0x0d) {
      this.buf += String.fromCharCode(byte);
      return;
    }
    const line = this.buf.trim();
    this.buf = '';
    if (/^AT/i.test(line)) this.command(line);
  }

  private typing(byte: number): void {
    if (byte === ESC) {
      // The message is abandoned; this modem says OK, as several do.
      this.abandoned.push(this.typingTo!);
      this.typingTo = undefined;
      this.buf = '';
      this.answer(['OK']);
    } else if (byte === CTRL_Z) {
      const number = this.typingTo!;
      const text = this.buf;
      this.typingTo = undefined;
      this.buf = '';
      this.submit(number, text);
    } else this.buf += String.fromCharCode(byte);
  }

  private command(line: string): void {
    this.received.push(line);
    if (this.silent()) return;
    const fault = this.commandFaults.shift();
    if (fault) {
      this.refuse(fault);
      return;
    }
    const cmd = line.toUpperCase();
    const cmgs = /^AT\+CMGS="(\+?\d+)"$/i.exec(line);
    if (cmd === 'AT') this.answer(['OK']);
    else if (cmd === 'ATE0' || cmd === 'ATE1') {
      this.echo = cmd === 'ATE1';
      this.answer(['OK']);
    } else if (cmd === 'AT+CMGF=0' || cmd === 'AT+CMGF=1') {
      this.textMode = cmd === 'AT+CMGF=1';
      this.answer(['OK']);
    } else if (cmd === 'AT+CSCS="GSM"' || cmd === 'AT+CSCS="IRA"') this.answer(['OK']);
    else if (cmgs && this.textMode) {
      this.typingTo = cmgs[1]!;
      this.later(() => this.write('\r\n> '));
    } else this.answer(['ERROR']);
  }

  private submit(number: string, text: string): void {
    this.received.push(`<${text}>`);
    if (this.silent()) return;
    const fault = this.faults.shift();
    if (fault) this.refuse(fault);
    else {
      const mr = this.nextMr++ % 256;
      this.sent.push({ number, text, mr, at: this.clock.now() });
      this.answer([`+CMGS: ${mr}`, 'OK']);
    }
  }

  private refuse(fault: SendFault): void {
    this.answer([fault === 'error' ? 'ERROR' : `+CMS ERROR: ${fault.cms}`]);
  }

  private silent(): boolean {
    if (this.silentFor === 0) return false;
    this.silentFor--;
    return true;
  }

  private answer(lines: string[]): void {
    const all = [lines[0]!, ...this.interjections.splice(0), ...lines.slice(1)];
    this.later(() => this.write(all.map((l) => `\r\n${l}\r\n`).join('')));
  }

  private later(fn: () => void): void {
    if (this.slowMs > 0) this.clock.setTimeout(fn, this.slowMs);
    else fn();
  }
}
