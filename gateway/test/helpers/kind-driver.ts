import type { WristbandTelemetry } from '@careedge/edge';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { RuleAction, RuleInput, RuleKind, StepContext } from '../../src/rules/kind.js';
import { localTimeIn } from './local-time.js';

/** A Europe/Berlin wall-clock time with its offset, e.g. `berlin('2026-05-04 08:00')` (CEST). */
export function berlin(local: string, offset = '+02:00'): number {
  return Date.parse(`${local.replace(' ', 'T')}:00${offset}`);
}

export const MIN = 60_000;
export const HOUR = 3_600_000;

export interface Reading {
  activity: number;
  worn?: boolean;
}

export interface Logged {
  at: number;
  action: RuleAction;
}

/**
 * Drives one pure rule kind as the engine would, with plain numbers for time: every step's state
 * goes through JSON (the engine persists it; a restart may come between any two inputs), ticks
 * come when `wakeAt` passes, the open alert follows the kind's raises and clears.
 */
export class KindDriver<P, S> {
  state: S;
  wakeAt: number | null = null;
  openAlert: StepContext['openAlert'] = null;
  readonly log: Logged[] = [];
  readonly params: P;
  seq = 0;
  readonly local = localTimeIn('Europe/Berlin');

  constructor(
    readonly kind: RuleKind<P, S>,
    overrides: Partial<P> = {},
    readonly subject: Record<string, unknown> = {},
    start = 0,
  ) {
    this.params = { ...(Value.Create(kind.params as TSchema) as P), ...overrides };
    this.state = kind.initial(this.params, start);
  }

  step(input: RuleInput): RuleAction[] {
    const ctx = { local: this.local, openAlert: this.openAlert, subject: this.subject };
    const result = this.kind.step(this.state, input, this.params, ctx);
    this.state = JSON.parse(JSON.stringify(result.state)) as S;
    this.wakeAt = result.wakeAt;
    for (const action of result.actions) {
      this.log.push({ at: input.at, action });
      if (action.type === 'raise' && this.openAlert === null)
        this.openAlert = { id: this.log.length, priority: action.priority, raisedAt: input.at };
      if (action.type === 'clear') this.openAlert = null;
    }
    return result.actions;
  }

  /** Ticks that have come due by `at`. */
  tickUntil(at: number): void {
    while (this.wakeAt !== null && this.wakeAt <= at) this.step({ type: 'tick', at: this.wakeAt });
  }

  message(at: number, r: Reading, device: Partial<WristbandTelemetry> = {}): WristbandTelemetry {
    const worn = r.worn ?? true;
    return {
      seq: this.seq++,
      ts: at,
      activity: r.activity,
      worn,
      batteryPct: 80,
      rssiDbm: -60,
      ...(worn ? { heartRateBpm: 70 } : {}),
      ...device,
    };
  }

  /** One reading at `at` (due ticks first). */
  reading(at: number, r: Reading): RuleAction[] {
    this.tickUntil(at);
    return this.step({ type: 'telemetry', at, message: this.message(at, r) });
  }

  /** Readings every `everyS` from `from` (included) to `to` (excluded). */
  readings(from: number, to: number, r: Reading | ((at: number) => Reading), everyS = 60): void {
    for (let at = from; at < to; at += everyS * 1000) this.reading(at, typeof r === 'function' ? r(at) : r);
  }

  /** The device restarted: its sequence numbers start again from 0. */
  reboot(): void {
    this.seq = 0;
  }

  raises(alertKind?: string): Logged[] {
    return this.log.filter(
      (l) => l.action.type === 'raise' && (!alertKind || l.action.alertKind === alertKind),
    );
  }

  clears(): Logged[] {
    return this.log.filter((l) => l.action.type === 'clear');
  }
}
