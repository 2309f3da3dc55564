import type { Edge, InputPin, Level, OutputPin, PinBank } from './pins.js';

/** An error as the kernel gives it when a pin cannot be had (EBUSY, EACCES). */
const systemError = (code: string, pin: number) =>
  Object.assign(new Error(`${code}: cannot open GPIO ${pin}`), { code });

/** A fake input: the test sets its level; watchers see the edges the pin's edge setting passes. */
export class FakeInputPin implements InputPin {
  private level: Level = 0;
  private onEdge: ((level: Level) => void) | undefined;
  closed = false;

  constructor(
    readonly pin: number,
    readonly edge: Edge,
  ) {}

  read(): Level {
    return this.level;
  }

  watch(onEdge: (level: Level) => void): void {
    this.onEdge = onEdge;
  }

  unwatch(): void {
    this.onEdge = undefined;
  }

  close(): void {
    this.closed = true;
    this.onEdge = undefined;
  }

  /** The contact moves (1: pressed). */
  set(level: Level): void {
    if (level === this.level) return;
    this.level = level;
    const passes = this.edge === 'both' || (this.edge === 'rising') === (level === 1);
    if (passes) this.onEdge?.(level);
  }
}

/** A fake output: keeps every level written, with the time it was written at. */
export class FakeOutputPin implements OutputPin {
  readonly writes: { at: number; level: Level }[] = [];
  closed = false;

  constructor(
    readonly pin: number,
    private readonly now: () => number,
  ) {}

  get level(): Level {
    return this.writes.at(-1)?.level ?? 0;
  }

  write(level: Level): void {
    if (this.closed) throw new Error(`GPIO ${this.pin} is closed`);
    this.writes.push({ at: this.now(), level });
  }

  close(): void {
    this.closed = true;
  }

  /** The times the output went on (0 → 1) since `from`. */
  onsSince(from: number): number[] {
    const ons: number[] = [];
    let prev: Level = 0;
    for (const w of this.writes) {
      if (w.level === 1 && prev === 0 && w.at >= from) ons.push(w.at);
      prev = w.level;
    }
    return ons;
  }
}

/**
 * Pins for tests and the demo, driven with fake time: `now` stamps each output write. A pin open
 * twice is EBUSY, as with the kernel; `refuse(pin, code)` makes opening it fail.
 */
export class FakePinBank implements PinBank {
  readonly inputs = new Map<number, FakeInputPin>();
  readonly outputs = new Map<number, FakeOutputPin>();
  private readonly refused = new Map<number, string>();

  constructor(
    private readonly now: () => number,
    private readonly why: string | undefined = undefined,
  ) {}

  async unavailable(): Promise<string | undefined> {
    return this.why;
  }

  refuse(pin: number, code: string | undefined): void {
    if (code) this.refused.set(pin, code);
    else this.refused.delete(pin);
  }

  input(pin: number, opts: { activeLow: boolean; edge: Edge }): FakeInputPin {
    this.check(pin);
    const p = new FakeInputPin(pin, opts.edge);
    this.inputs.set(pin, p);
    return p;
  }

  output(pin: number): FakeOutputPin {
    this.check(pin);
    const p = new FakeOutputPin(pin, this.now);
    p.write(0);
    this.outputs.set(pin, p);
    return p;
  }

  /** The open input on `pin` (the test presses it). */
  in(pin: number): FakeInputPin {
    const p = this.inputs.get(pin);
    if (!p || p.closed) throw new Error(`no open input on GPIO ${pin}`);
    return p;
  }

  /** The open output on `pin`. */
  out(pin: number): FakeOutputPin {
    const p = this.outputs.get(pin);
    if (!p || p.closed) throw new Error(`no open output on GPIO ${pin}`);
    return p;
  }

  private check(pin: number): void {
    const code = this.refused.get(pin);
    if (code) throw systemError(code, pin);
    const open = this.inputs.get(pin) ?? this.outputs.get(pin);
    if (open && !open.closed) throw systemError('EBUSY', pin);
  }
}
