import type { AlertEvents } from '../alerts/events.js';
import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import type { GpioInputConfig, GpioOutputConfig } from '../config/gpio.js';
import { ConfigError } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { GatewayModule } from '../core/module.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { Ingest } from '../ingest/ingest.js';
import type { WriteAhead } from '../journal/index.js';
import type { SiteRegister } from '../register/register.js';
import { Blinker } from './blinker.js';
import { DebouncedButton } from './button.js';
import { ButtonEvents } from './button-events.js';
import type { OutputPin, PinBank } from './pins.js';
import { gpioRegisterProblems } from './register-checks.js';
import { type SignalOutput, Signals } from './signals.js';

/** How soon pins that could not be opened are tried again. */
const RETRY_MS = 30_000;

type Wired =
  | { kind: 'input'; config: GpioInputConfig; path: string; button?: DebouncedButton; close?: () => void }
  | { kind: 'output'; config: GpioOutputConfig; path: string; signal?: SignalOutput; close?: () => void };

/**
 * Care buttons and pull cords on input pins become care-button events (through the journal and
 * ingest, as on MQTT); dome lights and buzzers on output pins follow the open alerts. Optional:
 * on a machine without GPIO it says so once and stays off while the rest of the gateway runs. A
 * pin the kernel will not give (EBUSY, EACCES) is named in the log and on /healthz, the others
 * work, and it is tried again every 30 s.
 */
export class GpioModule implements GatewayModule {
  readonly name = 'gpio';
  readonly optional = true;
  private readonly wired: Wired[];
  private readonly blinker: Blinker;
  private readonly signals: Signals;
  private readonly events: ButtonEvents;
  private readonly pinLog: RateLimitedLog;
  private retry: unknown;
  private running = false;

  /** Throws ConfigError when the settings name devices, rooms or zones the site register lacks. */
  constructor(
    private readonly ctx: {
      config: Pick<GatewayConfig, 'gpio'>;
      siteId: string;
      clock: Clock;
      log: Logger;
      bus: EventBus<AlertEvents>;
      register: SiteRegister;
      alerts: Pick<AlertService, 'open'>;
      alertStore: Pick<AlertStore, 'openCallsInRoom' | 'presenceSince'>;
      health: Pick<Health, 'warn' | 'unwarn'>;
      ingest: Pick<Ingest, 'receive'>;
      writeAhead: WriteAhead;
      pins: PinBank;
    },
  ) {
    const { gpio } = ctx.config;
    const problems = gpioRegisterProblems(gpio, ctx.register);
    if (problems.length > 0) throw new ConfigError(problems);
    this.wired = [
      ...gpio.outputs.map((config, i) => ({ kind: 'output' as const, config, path: `gpio.outputs[${i}]` })),
      ...gpio.inputs.map((config, i) => ({ kind: 'input' as const, config, path: `gpio.inputs[${i}]` })),
    ];
    this.blinker = new Blinker(ctx.clock);
    this.signals = new Signals(this.blinker);
    this.events = new ButtonEvents(ctx);
    this.pinLog = new RateLimitedLog(ctx.log, ctx.clock, 60_000);
  }

  async start(): Promise<void> {
    const { log, pins, health, bus, alerts } = this.ctx;
    if (this.wired.length === 0) return;
    const why = await pins.unavailable();
    if (why) {
      log.warn(
        { reason: why, pins: this.wired.length },
        'no GPIO on this machine; the GPIO module stays off (its buttons and lights do not work)',
      );
      health.warn('gpio', `no GPIO on this machine: ${why}`);
      return;
    }
    this.running = true;
    bus.on(this.name, 'alert:changed', ({ alert }) => this.signals.changed(alert));
    this.signals.load(alerts.open());
    this.openPins();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.ctx.clock.clearTimeout(this.retry);
    this.ctx.bus.removeOwner(this.name);
    for (const w of this.wired) {
      if (w.kind === 'input') w.button?.stop();
      // A lamp showing a call stays lit (DIN VDE 0834: a call must still show when the
      // controller is gone); a buzzer stops.
      if (w.kind === 'output' && w.signal) {
        const showing = this.blinker.patternOf(w.signal.driven) !== 'off';
        w.signal.driven.set(w.config.kind === 'dome-light' && showing ? 1 : 0);
      }
    }
    this.blinker.stop();
    for (const w of this.wired) {
      try {
        w.close?.();
      } catch (err) {
        this.ctx.log.warn({ err, pin: w.config.pin }, 'could not release a GPIO pin');
      }
      w.close = undefined;
      if (w.kind === 'input') w.button = undefined;
      else w.signal = undefined;
    }
    await this.events.drained();
  }

  /** Opens every pin not open yet; names each that fails and tries those again later. */
  private openPins(): void {
    const { pins, clock, log, health } = this.ctx;
    const base = this.ctx.config.gpio.pinBase;
    const failed: string[] = [];
    for (const w of this.wired) {
      if (w.close) continue;
      const number = base + w.config.pin;
      try {
        if (w.kind === 'output') {
          const pin = pins.output(number, { activeLow: w.config.activeLow });
          w.signal = { config: w.config, driven: this.guard(pin, w.path) };
          w.close = () => pin.close();
        } else {
          const pin = pins.input(number, { activeLow: w.config.activeLow, edge: 'both' });
          const { config } = w;
          const button = new DebouncedButton(
            pin,
            clock,
            { ...config, tellsLong: config.longPress !== 'none' },
            (press) => this.events.pressed(config, press),
            (err) => this.pinLog.warn(`read/${number}`, { err, pin: number }, 'cannot read a GPIO input'),
          );
          try {
            button.start();
          } catch (err) {
            pin.close();
            throw err;
          }
          w.button = button;
          w.close = () => pin.close();
        }
      } catch (err) {
        const what = w.kind === 'input' ? `input of ${w.config.device}` : `${w.config.kind}`;
        const reason = `GPIO ${number} (${w.path}, ${what}) cannot be opened: ${(err as Error).message}`;
        log.error({ pin: number, code: (err as NodeJS.ErrnoException).code, retryInMs: RETRY_MS }, reason);
        failed.push(reason);
      }
    }
    this.signals.drive(this.wired.flatMap((w) => (w.kind === 'output' && w.signal ? [w.signal] : [])));
    if (failed.length === 0) {
      health.unwarn('gpio');
      return;
    }
    health.warn('gpio', failed.join('; '));
    this.retry = clock.setTimeout(() => {
      if (this.running) this.openPins();
    }, RETRY_MS);
  }

  /** The pin as the blinker drives it: writes only changes, and a failing write never throws. */
  private guard(pin: OutputPin, path: string) {
    let last: number | undefined;
    return {
      set: (level: 0 | 1) => {
        if (level === last) return;
        try {
          pin.write(level);
          last = level;
        } catch (err) {
          this.pinLog.warn(
            `write/${pin.pin}`,
            { err, pin: pin.pin, output: path },
            'cannot write a GPIO output',
          );
        }
      },
    };
  }
}
