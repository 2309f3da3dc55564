import { E164Pattern } from '../config/sms.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { type OpenSerial, PortDriver } from '../core/port-driver.js';
import { AtChannel, AtFailure, ESC } from './at-channel.js';
import { toSmsText } from './gsm-text.js';
import type { SmsMetrics } from './metrics.js';

/** Set up at every open: alive, no echo, text mode, the GSM alphabet (3GPP TS 27.005, 27.007). */
const INIT = ['AT', 'ATE0', 'AT+CMGF=1', 'AT+CSCS="GSM"'] as const;
const E164 = new RegExp(E164Pattern);

/** A message the modem took: `mr` is its message reference from `+CMGS: <mr>`. */
export interface SendResult {
  mr: number;
  attempts: number;
  /** The text as sent (see gsm-text.ts). */
  text: string;
  replaced: number;
  truncated: boolean;
}

export type SmsFailureReason = 'bad-number' | 'queue-full' | 'stopped' | 'failed';

/** A message not sent; for `failed`, `last` is what its last attempt ran into. */
export class SmsError extends Error {
  constructor(
    readonly reason: SmsFailureReason,
    message: string,
    readonly attempts = 0,
    readonly last?: AtFailure,
  ) {
    super(message);
    this.name = 'SmsError';
  }
}

export type ModemState = 'down' | 'setting-up' | 'ready';

export interface GsmModemOptions {
  path: string;
  baudRate: number;
  clock: Clock;
  log: Logger;
  metrics: SmsMetrics;
  commandTimeoutMs: number;
  sendTimeoutMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  queueLimit: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  open?: OpenSerial;
  random?: () => number;
  /** The modem became ready or stopped being ready (`reason`: why not). */
  onState?(state: ModemState, reason: string): void;
}

interface Queued {
  number: string;
  text: ReturnType<typeof toSmsText>;
  attempts: number;
  resolve(r: SendResult): void;
  reject(e: SmsError): void;
}

/**
 * A GSM modem on a serial port, sending text messages (AT commands, text mode): one message at
 * a time, in the order they were given. ERROR and +CMS ERROR are retried after a growing wait,
 * up to `maxAttempts`; a modem that does not answer in time is taken for hung: a pending prompt
 * is abandoned (ESC), the port opened again and the modem set up again, then the message retried.
 * An unplugged modem is opened again with backoff (core/port-driver.ts); messages wait meanwhile.
 * The queue is in memory and bounded: keeping messages across a restart is the delivery ledger's.
 *
 * A message whose modem hung after its text was handed over may have gone out: it is tried again
 * anyway, as a carer texted twice is better than one not texted.
 */
export class GsmModem {
  private readonly driver: PortDriver;
  private readonly at: AtChannel;
  private readonly queue: Queued[] = [];
  private state: ModemState = 'down';
  private reason = 'not started';
  private stopped = true;
  /** Counts opens of the port: a set-up or send of an earlier one stops when it changes. */
  private session = 0;
  private busy = false;
  private retryTimer: unknown;
  private setUpTimer: unknown;
  private setUpFailures = 0;

  constructor(private readonly o: GsmModemOptions) {
    const log = o.log;
    this.at = new AtChannel({
      clock: o.clock,
      write: (text) => this.driver.write(Buffer.from(text, 'latin1')),
      onUnsolicited: (line) => {
        o.metrics.unsolicited.inc();
        log.debug({ line: line.slice(0, 80) }, 'modem line ignored (unsolicited)');
      },
    });
    this.driver = new PortDriver({
      path: o.path,
      baudRate: o.baudRate,
      clock: o.clock,
      log,
      reconnectMinMs: o.reconnectMinMs,
      reconnectMaxMs: o.reconnectMaxMs,
      writeQueue: 16,
      ...(o.open ? { open: o.open } : {}),
      ...(o.random ? { random: o.random } : {}),
      onData: (chunk) => this.at.push(chunk),
      onUp: () => this.setUp(),
      onDown: (reason) => this.down(reason),
      onDropped: () => log.warn({ port: o.path }, 'modem write dropped (the port asked to wait too long)'),
    });
    o.metrics.ready.set(0);
    o.metrics.queued.set(0);
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  start(): void {
    this.stopped = false;
    this.driver.start();
  }

  /** Stops sending: the message under way and those waiting are refused (`stopped`). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.session++;
    this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.o.clock.clearTimeout(this.setUpTimer);
    this.at.abort(new AtFailure('stopped', 'the SMS modem was stopped'));
    for (const m of this.queue.splice(0))
      this.refuse(m, new SmsError('stopped', 'the SMS modem was stopped'));
    this.o.metrics.queued.set(0);
    this.setState('down', 'stopped');
    await this.driver.stop();
  }

  /**
   * Queues a text message to an E.164 number; resolves once the modem answered `+CMGS`, rejects
   * with an SmsError when the number is not valid, the queue is full, every attempt failed or the
   * modem was stopped first.
   */
  send(number: string, text: string): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      const m: Queued = { number, text: toSmsText(text), attempts: 0, resolve, reject };
      if (this.stopped) this.refuse(m, new SmsError('stopped', 'the SMS modem is not running'));
      else if (!E164.test(number))
        this.refuse(m, new SmsError('bad-number', `"${number}" is not an E.164 phone number (+ and digits)`));
      else if (this.queue.length >= this.o.queueLimit)
        this.refuse(
          m,
          new SmsError('queue-full', `${this.queue.length} messages already wait for the modem`),
        );
      else {
        this.queue.push(m);
        this.o.metrics.queued.set(this.queue.length);
        void this.pump();
      }
    });
  }

  /** A new state, or a new reason for it (told to onState: /healthz says the latest). */
  private setState(state: ModemState, reason: string): void {
    if (state === this.state && reason === this.reason) return;
    this.state = state;
    this.reason = reason;
    this.o.metrics.ready.set(state === 'ready' ? 1 : 0);
    this.o.onState?.(state, reason);
  }

  /** The port opened: set the modem up (ESC first: a message left half-typed is abandoned). */
  private setUp(): void {
    const session = ++this.session;
    this.setState('setting-up', 'the modem is being set up');
    void this.runSetUp(session);
  }

  private async runSetUp(session: number): Promise<void> {
    this.o.clock.clearTimeout(this.setUpTimer);
    try {
      this.driver.write(Buffer.from(ESC, 'latin1'));
      for (const cmd of INIT) {
        await this.at.command(cmd, this.o.commandTimeoutMs);
        if (session !== this.session) return;
      }
    } catch (err) {
      if (session !== this.session) return;
      this.failedSetUp(session, this.asFailure(err));
      return;
    }
    this.setUpFailures = 0;
    this.o.log.info({ port: this.o.path }, 'SMS modem ready');
    this.setState('ready', 'ready');
    void this.pump();
  }

  /** A set-up refused (no SIM, PIN needed) is tried again later; one not answered reopens the port. */
  private failedSetUp(session: number, err: AtFailure): void {
    if (err.kind === 'timeout') {
      this.hung(err.message);
      return;
    }
    if (err.kind !== 'error' && err.kind !== 'cms-error') return;
    const wait = Math.min(this.o.reconnectMaxMs, this.o.retryDelayMs * 2 ** Math.min(this.setUpFailures, 20));
    if (this.setUpFailures++ === 0)
      this.o.log.warn({ port: this.o.path, err: err.message }, 'SMS modem refused its set-up; trying again');
    this.setState('setting-up', `the modem refused its set-up: ${err.message}`);
    this.setUpTimer = this.o.clock.setTimeout(() => {
      if (session === this.session) void this.runSetUp(session);
    }, wait);
  }

  /**
   * No answer in time: abandon a pending prompt, open the port again (then set up again). The ESC
   * may be lost if the port closes before it is written; the set-up's own ESC follows anyway.
   */
  private hung(detail: string): void {
    this.o.metrics.hangs.inc();
    this.o.log.warn({ port: this.o.path, detail }, 'SMS modem not answering; opening its port again');
    this.driver.write(Buffer.from(ESC, 'latin1'));
    this.driver.reopen(`the modem stopped answering (${detail})`);
  }

  private down(reason: string): void {
    this.session++;
    this.o.clock.clearTimeout(this.setUpTimer);
    this.at.abort(new AtFailure('port-lost', `the modem's port went down: ${reason}`));
    if (!this.stopped) this.setState('down', `the modem's port is down (${reason})`);
  }

  /** Sends the queue's head while the modem is ready, one message at a time. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.state === 'ready' && this.queue.length > 0 && this.retryTimer === undefined) {
        const m = this.queue[0]!;
        const session = this.session;
        m.attempts++;
        try {
          const mr = await this.attempt(m);
          this.o.metrics.attempts.inc({ result: 'sent' });
          this.o.metrics.messages.inc({ result: 'sent' });
          this.dequeue();
          m.resolve({ mr, attempts: m.attempts, ...m.text });
        } catch (err) {
          if (err instanceof AtFailure && err.kind === 'stopped') return;
          this.failedAttempt(m, this.asFailure(err), session);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async attempt(m: Queued): Promise<number> {
    await this.at.startMessage(m.number, this.o.commandTimeoutMs);
    return this.at.finishMessage(m.text.text, this.o.sendTimeoutMs);
  }

  private failedAttempt(m: Queued, err: AtFailure, session: number): void {
    this.o.metrics.attempts.inc({ result: err.kind });
    this.o.log.warn(
      { port: this.o.path, attempt: m.attempts, of: this.o.maxAttempts, err: err.message },
      'SMS attempt failed',
    );
    // A hang reopens the port; the message is tried again once the modem is set up again.
    if (err.kind === 'timeout' && session === this.session) this.hung(err.message);
    if (m.attempts >= this.o.maxAttempts) {
      this.dequeue();
      this.o.metrics.messages.inc({ result: 'failed' });
      m.reject(
        new SmsError('failed', `not sent after ${m.attempts} attempts: ${err.message}`, m.attempts, err),
      );
      return;
    }
    if (err.kind !== 'error' && err.kind !== 'cms-error') return;
    const wait = this.o.retryDelayMs * 2 ** (m.attempts - 1);
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.pump();
    }, wait);
  }

  /** A failure that is not the modem's (a bug) is logged, and handled as a refusal: tried again. */
  private asFailure(err: unknown): AtFailure {
    if (err instanceof AtFailure) return err;
    this.o.log.error({ port: this.o.path, err }, 'SMS modem driver failed; trying again');
    return new AtFailure('error', `driver failure: ${(err as Error)?.message ?? String(err)}`);
  }

  private dequeue(): void {
    this.queue.shift();
    this.o.metrics.queued.set(this.queue.length);
  }

  private refuse(m: Queued, err: SmsError): void {
    this.o.metrics.messages.inc({ result: 'refused' });
    m.reject(err);
  }
}
