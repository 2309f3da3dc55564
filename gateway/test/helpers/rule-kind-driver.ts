import type { DeviceEvent, Priority, WristbandTelemetry } from '@careedge/edge';
import type { LocalTime, RuleAction, RuleInput, RuleKind, StepContext } from '../../src/rules/kind.js';

/**
 * Drives one rule kind the way the engine will, with plain numbers for time: ticks at the
 * deadline it asked for, its state round-tripped through JSON before every step (as if the
 * gateway restarted there), and a stand-in for the one open alert per instance. For unit tests
 * of the kinds only; the engine's own tests use the engine.
 */

export type OpenAlert = NonNullable<StepContext['openAlert']>;
export interface DrivenAction {
  at: number;
  action: RuleAction;
  /** A raise that opened an alert (not a repeat of the open one). */
  opened: boolean;
}

/** Local time in a site time zone (what the engine's `ctx.local` gives). */
export function localTimeIn(timeZone: string): (at: number) => LocalTime {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (at) => {
    const p: Record<string, string> = {};
    for (const part of format.formatToParts(at)) p[part.type] = part.value;
    const hour = Number(p.hour);
    return { day: `${p.year}-${p.month}-${p.day}`, hour, minuteOfDay: hour * 60 + Number(p.minute) };
  };
}

export class KindDriver<P, S> {
  /** The state as stored: JSON text, read back before each step. */
  private stored: string;
  wakeAt: number | null = null;
  alert: OpenAlert | null = null;
  readonly log: DrivenAction[] = [];
  private nextId = 1;

  constructor(
    readonly kind: RuleKind<P, S>,
    readonly params: P,
    startAt: number,
    private readonly local: (at: number) => LocalTime = localTimeIn('UTC'),
  ) {
    this.stored = JSON.stringify(kind.initial(params, startAt));
  }

  /**
   * The gateway restarted: a new driver from the stored state, deadline and open alert only
   * (what the engine keeps in SQLite), nothing else carried over; with `params`, under changed rules.
   */
  restarted(params: P = this.params): KindDriver<P, S> {
    const d = new KindDriver(this.kind, params, 0, this.local);
    d.stored = this.stored;
    d.wakeAt = this.wakeAt;
    d.alert = this.alert ? { ...this.alert } : null;
    d.nextId = this.nextId;
    return d;
  }

  get state(): S {
    return JSON.parse(this.stored) as S;
  }

  /** Ticks the kind at every deadline before `at`, then steps the input. Returns its actions. */
  feed(input: RuleInput): RuleAction[] {
    this.runTicksBefore(input.at);
    return this.step(input);
  }

  /** Fires the deadline if it is due by `at` (at the deadline itself, as the engine's timer). */
  runTicksBefore(at: number): void {
    for (let guard = 0; this.wakeAt !== null && this.wakeAt <= at; guard++) {
      if (guard > 1000) throw new Error(`${this.kind.name} keeps asking to be woken by ${at}`);
      this.step({ type: 'tick', at: this.wakeAt });
    }
  }

  /** One step, no ticks first: for a tick arriving late, or an input the test places itself. */
  step(input: RuleInput): RuleAction[] {
    const before = JSON.parse(this.stored) as S;
    const result = this.kind.step(before, input, this.params, { local: this.local, openAlert: this.alert });
    // The kind must not touch the state it was given; the engine may still hold it.
    if (JSON.stringify(before) !== this.stored) throw new Error(`${this.kind.name} mutated its input state`);
    this.stored = JSON.stringify(result.state);
    if (JSON.stringify(JSON.parse(this.stored)) !== this.stored) throw new Error('state is not plain JSON');
    this.wakeAt = result.wakeAt;
    for (const action of result.actions) this.apply(input.at, action);
    return result.actions;
  }

  /** The instant rule (or anyone else) opened the alert this instance follows. */
  openAlert(at: number, priority: Priority): void {
    this.alert = { id: this.nextId++, priority, raisedAt: at };
  }

  /** Staff resolved the alert behind the kind's back. */
  resolve(): void {
    this.alert = null;
  }

  raises(): DrivenAction[] {
    return this.log.filter((a) => a.action.type === 'raise');
  }

  /** Alert hygiene as the engine applies it: one open alert, high latched until acknowledged. */
  private apply(at: number, action: RuleAction): void {
    let opened = false;
    switch (action.type) {
      case 'raise':
        if (!this.alert) {
          this.openAlert(at, action.priority);
          opened = true;
        }
        break;
      case 'set-priority':
        if (this.alert) this.alert.priority = action.priority;
        break;
      case 'clear':
        if (this.alert && this.alert.priority !== 'high') this.alert = null;
        break;
    }
    this.log.push({ at, action, opened });
  }
}

/** The detail of a raise, else undefined. */
export const detailOf = (action: RuleAction) => (action.type === 'raise' ? action.detail : undefined);

const MIN = 60_000;
/** A fixed start, 2026-11-02 00:00 UTC: local time in UTC equals the clock. */
export const T0 = Date.UTC(2026, 10, 2);
export const at = (minutes: number, seconds = 0) => T0 + minutes * MIN + seconds * 1000;

/** A telemetry input with plausible defaults; `seq` and `ts` follow `at` unless given. */
export function telemetry(
  atMs: number,
  fields: Partial<WristbandTelemetry> = {},
): Extract<RuleInput, { type: 'telemetry' }> {
  return {
    type: 'telemetry',
    at: atMs,
    message: {
      seq: Math.floor((atMs - T0) / 1000),
      ts: atMs,
      activity: 10,
      steps: 0,
      worn: true,
      heartRateBpm: 72,
      batteryPct: 80,
      rssiDbm: -60,
      ...fields,
    },
  };
}

export function event(
  atMs: number,
  type: DeviceEvent['type'],
  extra: Partial<{ seq: number; ts: number }> = {},
): Extract<RuleInput, { type: 'event' }> {
  const message = { seq: Math.floor((atMs - T0) / 1000), ts: atMs, type, ...extra } as DeviceEvent;
  if (type === 'presence') Object.assign(message, { on: true });
  return { type: 'event', at: atMs, message };
}
