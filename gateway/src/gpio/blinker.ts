import type { Clock } from '../core/clock.js';
import { BLINKING, type Blinking, type Pattern } from './patterns.js';
import type { Level } from './pins.js';

/** Something the blinker drives: an output pin behind a guard that never throws. */
export interface Driven {
  set(level: Level): void;
}

interface Running {
  step: number;
  timer: unknown;
  members: Set<Driven>;
}

/**
 * Drives outputs with patterns on the injected clock: one timer per running pattern, not per
 * output, so every light with the same pattern flashes in step (a corridor reads as one signal).
 */
export class Blinker {
  private readonly running = new Map<Blinking, Running>();
  private readonly current = new Map<Driven, Pattern>();

  constructor(private readonly clock: Clock) {}

  set(out: Driven, pattern: Pattern): void {
    const was = this.current.get(out);
    if (was === pattern) return;
    if (was !== undefined && was !== 'off' && was !== 'steady') this.leave(out, was);
    this.current.set(out, pattern);
    if (pattern === 'off') out.set(0);
    else if (pattern === 'steady') out.set(1);
    else this.join(out, pattern);
  }

  patternOf(out: Driven): Pattern {
    return this.current.get(out) ?? 'off';
  }

  stop(): void {
    for (const r of this.running.values()) this.clock.clearTimeout(r.timer);
    this.running.clear();
    this.current.clear();
  }

  private join(out: Driven, pattern: Blinking): void {
    const r = this.running.get(pattern);
    if (r) {
      r.members.add(out);
      out.set(BLINKING[pattern][r.step]![0]);
      return;
    }
    const started: Running = { step: 0, timer: undefined, members: new Set([out]) };
    this.running.set(pattern, started);
    this.enter(pattern, started);
  }

  private leave(out: Driven, pattern: Blinking): void {
    const r = this.running.get(pattern);
    if (!r) return;
    r.members.delete(out);
    if (r.members.size > 0) return;
    this.clock.clearTimeout(r.timer);
    this.running.delete(pattern);
  }

  private enter(pattern: Blinking, r: Running): void {
    const [level, ms] = BLINKING[pattern][r.step]!;
    for (const m of r.members) m.set(level);
    r.timer = this.clock.setTimeout(() => {
      r.step = (r.step + 1) % BLINKING[pattern].length;
      this.enter(pattern, r);
    }, ms);
  }
}
