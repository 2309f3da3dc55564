import type { Alert } from '../alerts/model.js';
import { OPEN_STATES } from '../alerts/model.js';
import type { GpioOutputConfig } from '../config/gpio.js';
import type { Blinker, Driven } from './blinker.js';
import { patternFor, shows } from './patterns.js';

/** An output the signals drive: its settings and its pin behind a guard. */
export interface SignalOutput {
  config: GpioOutputConfig;
  driven: Driven;
}

/**
 * Dome lights and buzzers following the open alerts: each shows the highest-priority open alert
 * of its room (or zone, for a corridor light). Fed the alerts open at start, then every change.
 */
export class Signals {
  private readonly open = new Map<number, Alert>();

  constructor(
    private readonly blinker: Blinker,
    private outputs: readonly SignalOutput[] = [],
  ) {}

  /** The outputs now driven (pins opened later join with the alerts known so far). */
  drive(outputs: readonly SignalOutput[]): void {
    this.outputs = outputs;
    for (const o of outputs) this.refresh(o);
  }

  load(alerts: readonly Alert[]): void {
    this.open.clear();
    for (const a of alerts) if (OPEN_STATES.includes(a.state)) this.open.set(a.id, a);
    for (const o of this.outputs) this.refresh(o);
  }

  changed(alert: Alert): void {
    const was = this.open.get(alert.id);
    if (OPEN_STATES.includes(alert.state)) this.open.set(alert.id, alert);
    else this.open.delete(alert.id);
    for (const o of this.outputs) {
      if (shows(o.config, alert) || (was && shows(o.config, was))) this.refresh(o);
    }
  }

  private refresh(o: SignalOutput): void {
    const mine = [...this.open.values()].filter((a) => shows(o.config, a));
    this.blinker.set(o.driven, patternFor(o.config, mine));
  }
}
