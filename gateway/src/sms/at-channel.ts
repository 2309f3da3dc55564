import type { Clock } from '../core/clock.js';
import { AtReader } from './at-reader.js';
import { cmsErrorMeaning } from './cms-errors.js';

/** Ctrl-Z: ends a message's text and sends it (3GPP TS 27.005 §3.5.1). */
export const CTRL_Z = '\x1a';
/** ESC: abandons a message's text instead (same clause). */
export const ESC = '\x1b';

export type AtFailureKind = 'error' | 'cms-error' | 'timeout' | 'port-lost' | 'stopped';

/** Why an exchange with the modem did not end in OK; `code` is a +CMS ERROR's. */
export class AtFailure extends Error {
  constructor(
    readonly kind: AtFailureKind,
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'AtFailure';
  }
}

type Awaiting = 'final' | 'prompt' | 'sent';

interface Exchange {
  what: string;
  awaiting: Awaiting;
  /** `+CMGS: <mr>` seen while awaiting `sent`. */
  mr?: number;
  timer: unknown;
  resolve(mr: number | undefined): void;
  reject(f: AtFailure): void;
}

/**
 * One exchange at a time with a modem in text mode: a command and its final answer, AT+CMGS's
 * prompt, a message's `+CMGS: <mr>` and OK. A line that answers nothing asked (RING, +CMTI,
 * ^BOOT, an echo before ATE0, noise) is handed to `onUnsolicited` and otherwise ignored.
 */
export class AtChannel {
  private readonly reader: AtReader;
  private current: Exchange | undefined;

  constructor(
    private readonly o: {
      clock: Clock;
      /** Writes to the port; false when it is not open. */
      write(text: string): boolean;
      onUnsolicited(line: string): void;
    },
  ) {
    this.reader = new AtReader(
      (line) => this.line(line),
      () => this.prompt(),
    );
  }

  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /** A command (without its CR), resolved on OK. */
  async command(cmd: string, timeoutMs: number): Promise<void> {
    await this.exchange(`${cmd}\r`, cmd, 'final', timeoutMs);
  }

  /** `AT+CMGS="<number>"`, resolved on the `> ` prompt. */
  async startMessage(number: string, timeoutMs: number): Promise<void> {
    const cmd = `AT+CMGS="${number}"`;
    this.reader.promptWanted = true;
    await this.exchange(`${cmd}\r`, cmd, 'prompt', timeoutMs);
  }

  /** The text and Ctrl-Z after the prompt; resolves with the message reference of `+CMGS: <mr>`. */
  async finishMessage(text: string, timeoutMs: number): Promise<number> {
    const mr = await this.exchange(`${text}${CTRL_Z}`, 'the message text', 'sent', timeoutMs);
    if (mr === undefined) throw new AtFailure('error', 'the modem answered OK without +CMGS: <mr>');
    return mr;
  }

  /** Fails the exchange under way (port lost, stopping) and forgets any half-read line. */
  abort(failure: AtFailure): void {
    this.reader.reset();
    this.settle()?.reject(failure);
  }

  private exchange(bytes: string, what: string, awaiting: Awaiting, timeoutMs: number) {
    if (this.current) throw new Error(`an AT exchange is under way (${this.current.what})`);
    return new Promise<number | undefined>((resolve, reject) => {
      const x: Exchange = {
        what,
        awaiting,
        resolve,
        reject,
        timer: this.o.clock.setTimeout(() => {
          if (this.current !== x) return;
          this.settle();
          reject(new AtFailure('timeout', `no answer to ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.current = x;
      if (!this.o.write(bytes)) {
        this.settle();
        reject(new AtFailure('port-lost', `the port is not open for ${what}`));
      }
    });
  }

  private settle(): Exchange | undefined {
    const x = this.current;
    if (!x) return undefined;
    this.o.clock.clearTimeout(x.timer);
    this.current = undefined;
    this.reader.promptWanted = false;
    return x;
  }

  private prompt(): void {
    if (this.current?.awaiting === 'prompt') this.settle()!.resolve(undefined);
  }

  private line(line: string): void {
    const x = this.current;
    // Nothing waits for it: an unsolicited result code, an echo, noise.
    if (!x) {
      this.o.onUnsolicited(line);
      return;
    }
    const cms = /^\+CMS ERROR:\s*(\d+)$/.exec(line);
    if (cms) {
      const code = Number(cms[1]);
      this.settle()!.reject(new AtFailure('cms-error', `${line} (${cmsErrorMeaning(code)})`, code));
    } else if (line === 'ERROR' || /^\+CM[SE] ERROR:/.test(line)) {
      // Plain ERROR, a +CME ERROR (equipment: SIM, PIN) or a +CMS ERROR given as text (AT+CMEE=2).
      this.settle()!.reject(new AtFailure('error', `${line} to ${x.what}`));
    } else if (line === 'OK' && x.awaiting !== 'prompt') {
      this.settle()!.resolve(x.mr);
    } else if (x.awaiting === 'sent' && /^\+CMGS:\s*\d+/.test(line)) {
      x.mr = Number(/\d+/.exec(line)![0]);
    } else {
      // RING, +CMTI, ^BOOT, noise, an echo (before ATE0 took effect); or an OK left over from an
      // abandoned message while a prompt is awaited (the prompt or an ERROR follows it).
      this.o.onUnsolicited(line);
    }
  }
}
