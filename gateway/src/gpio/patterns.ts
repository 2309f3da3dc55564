import type { Priority } from '@careedge/edge';
import type { Alert } from '../alerts/model.js';
import type { GpioOutputConfig } from '../config/gpio.js';
import type { Level } from './pins.js';

/** A repeating on/off sequence: [level, ms] steps. */
export type Steps = readonly (readonly [Level, number])[];

/**
 * IEC 60601-1-8 alarm signals for on/off outputs. Lights (table 2): high flashes red at
 * 1.4–2.8 Hz, medium yellow at 0.4–0.8 Hz, both on 20–60 % of the time; low is steady. Buzzers
 * (an on/off buzzer has no pitch, so only the timing of its bursts): high repeats the standard's
 * 3 + 2 pulse burst often, medium a 3-pulse burst less often; low makes no sound (a corridor
 * buzzer going for a low battery at night would wake every resident).
 */
export const BLINKING = {
  'flash-high': [
    [1, 250],
    [0, 250],
  ], // 2 Hz, 50 %
  'flash-medium': [
    [1, 800],
    [0, 800],
  ], // 0.625 Hz, 50 %
  'buzz-high': [
    [1, 150],
    [0, 100],
    [1, 150],
    [0, 100],
    [1, 150],
    [0, 350],
    [1, 150],
    [0, 100],
    [1, 150],
    [0, 2700],
  ], // a burst every 4 s
  'buzz-medium': [
    [1, 200],
    [0, 150],
    [1, 200],
    [0, 150],
    [1, 200],
    [0, 7100],
  ], // a burst every 8 s
} as const satisfies Record<string, Steps>;

export type Blinking = keyof typeof BLINKING;
export type Pattern = 'off' | 'steady' | Blinking;

const RANK: Record<Priority, number> = { high: 3, medium: 2, low: 1 };

/** The highest priority among `alerts`, or undefined when there are none. */
export function highest(alerts: Iterable<Alert>): Priority | undefined {
  let top: Priority | undefined;
  for (const a of alerts) if (!top || RANK[a.priority] > RANK[top]) top = a.priority;
  return top;
}

/** Open and not yet accepted by a carer: the buzzer calls for someone to take it. */
export const unanswered = (a: Alert) => a.state === 'raised' || a.state === 'dispatched';

/** Does this output show this alert: its room's, or any in its zone for a corridor light. */
export const shows = (out: GpioOutputConfig, a: Alert) =>
  out.room !== undefined ? a.roomId === out.room : a.zoneId === out.zone;

/** What an output does for the open alerts it shows (`alerts` already filtered by shows()). */
export function patternFor(out: GpioOutputConfig, alerts: readonly Alert[]): Pattern {
  if (out.kind === 'buzzer') {
    const top = highest(alerts.filter(unanswered));
    return top === 'high' ? 'buzz-high' : top === 'medium' ? 'buzz-medium' : 'off';
  }
  const top = highest(alerts);
  switch (out.colour ?? 'any') {
    case 'red':
      return top === 'high' ? 'flash-high' : 'off';
    case 'yellow':
      return top === 'medium' ? 'flash-medium' : top === 'low' ? 'steady' : 'off';
    case 'any':
      return top === 'high'
        ? 'flash-high'
        : top === 'medium'
          ? 'flash-medium'
          : top === 'low'
            ? 'steady'
            : 'off';
  }
}
