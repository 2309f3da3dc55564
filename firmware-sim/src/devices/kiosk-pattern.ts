import type { Face } from '@careedge/edge';
import type { Clock } from '../clock.js';
import type { Kiosk } from './kiosk.js';

type Mix = Record<Face, number>;

/** Most people tap happy (what kiosks in care homes see): about 80 % happy or very happy. */
const USUAL: Mix = { 'very-happy': 0.35, happy: 0.45, unhappy: 0.14, 'very-unhappy': 0.06 };
/** After a meal at the dining-room kiosk: cold food, a long wait, a noisy room. */
const AFTER_MEAL: Mix = { 'very-happy': 0.1, happy: 0.3, unhappy: 0.38, 'very-unhappy': 0.22 };
const MEAL_REASONS = ['food', 'food', 'food', 'waiting', 'noise'];
const OTHER_REASONS = ['noise', 'waiting', 'cleanliness', 'staff', 'other'];

export interface KioskPatternOptions {
  /** The dining-room kiosk: a dip after meals. */
  dining: boolean;
  /** Meals, local "HH:MM"; the dip lasts `dipMin` minutes after each. */
  meals?: string[];
  dipMin?: number;
  /** IANA zone of the site (meals and quiet nights are local). */
  timezone?: string;
  random?: () => number;
}

export interface PlannedTap {
  face: Face;
  reason?: string;
}

/**
 * What a kiosk is tapped with, by local time: few taps at night, more by day and most right after
 * meals; mostly happy, with a dip at the dining-room kiosk after meals. Pure (a clock time in, a
 * tap or nothing out), so it is tested without a broker.
 */
export class KioskPattern {
  private readonly meals: number[];
  private readonly local: Intl.DateTimeFormat;
  private readonly random: () => number;

  constructor(private readonly o: KioskPatternOptions) {
    this.meals = (o.meals ?? ['08:00', '12:30', '17:30']).map((t) => {
      const [h, m] = t.split(':').map(Number);
      return h! * 60 + m!;
    });
    this.local = new Intl.DateTimeFormat('en-GB', {
      timeZone: o.timezone ?? 'UTC',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    this.random = o.random ?? Math.random;
  }

  /** Minutes since local midnight. */
  private minuteOfDay(at: number): number {
    const parts = this.local.formatToParts(at);
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    return get('hour') * 60 + get('minute');
  }

  /** Whether `at` is within the dip after a meal. */
  afterMeal(at: number): boolean {
    const m = this.minuteOfDay(at);
    return this.meals.some((meal) => m >= meal && m < meal + (this.o.dipMin ?? 90));
  }

  /** Taps expected per hour at `at`. */
  tapsPerHour(at: number): number {
    const m = this.minuteOfDay(at);
    if (m < 7 * 60 || m >= 21 * 60) return 0.2; // night: the odd sleepless resident
    return this.afterMeal(at) ? (this.o.dining ? 12 : 4) : 3;
  }

  /** The tap in the minute starting at `at`, if any. */
  minute(at: number): PlannedTap | undefined {
    if (this.random() >= this.tapsPerHour(at) / 60) return undefined;
    const dip = this.o.dining && this.afterMeal(at);
    const face = this.pick(dip ? AFTER_MEAL : USUAL);
    // Unhappy taps give a reason more often than happy ones (that is when people want to say why).
    const unhappy = face === 'unhappy' || face === 'very-unhappy';
    if (this.random() >= (unhappy ? 0.7 : 0.2)) return { face };
    const reasons = dip ? MEAL_REASONS : OTHER_REASONS;
    return { face, reason: reasons[Math.floor(this.random() * reasons.length)]! };
  }

  private pick(mix: Mix): Face {
    let r = this.random();
    for (const [face, p] of Object.entries(mix) as [Face, number][]) {
      if (r < p) return face;
      r -= p;
    }
    return 'happy';
  }
}

export interface KioskRunOptions {
  clock: Clock;
  random?: () => number;
  /** Share of taps that come as button mashing (a hand drumming on the keys). */
  mashShare?: number;
  /** Share of taps that are the "call staff" key instead. */
  callShare?: number;
  onError?: (err: Error) => void;
}

/**
 * Drives a kiosk by its pattern, minute by minute, until stopped: its taps, now and then a burst
 * of mashing, and rarely the call-staff key.
 */
export function runKiosk(kiosk: Kiosk, pattern: KioskPattern, o: KioskRunOptions): () => void {
  const random = o.random ?? Math.random;
  const fail = o.onError ?? (() => undefined);
  let timer: unknown;
  const step = () => {
    const tap = pattern.minute(o.clock.now());
    if (tap) {
      const r = random();
      const sent =
        r < (o.callShare ?? 0.01)
          ? kiosk.callStaff()
          : r < (o.callShare ?? 0.01) + (o.mashShare ?? 0.03)
            ? kiosk.mash(tap.face, 3 + Math.floor(random() * 6))
            : kiosk.tap(tap.face, tap.reason);
      sent.catch(fail);
    }
    timer = o.clock.setTimeout(step, 60_000);
  };
  timer = o.clock.setTimeout(step, 60_000);
  return () => o.clock.clearTimeout(timer);
}
