/**
 * The few things the GPIO module does with pins. Only onoff-pins.ts touches the kernel's GPIO;
 * the tests drive the same logic through fake-pins.ts with fake time.
 */

/** A pin's logical level: 1 is active (pressed, lamp on), whatever the wiring's polarity. */
export type Level = 0 | 1;
export type Edge = 'rising' | 'falling' | 'both';

export interface InputPin {
  readonly pin: number;
  /** The level now. */
  read(): Level;
  /** Calls `onEdge` with the new level on every edge; `onError` when reading it failed. */
  watch(onEdge: (level: Level) => void, onError: (err: Error) => void): void;
  unwatch(): void;
  /** Releases the pin. */
  close(): void;
}

export interface OutputPin {
  readonly pin: number;
  write(level: Level): void;
  close(): void;
}

export interface PinBank {
  /** Why pins cannot be opened on this machine, or undefined when they can. */
  unavailable(): Promise<string | undefined>;
  /** Opens an input pin; throws (EBUSY, EACCES, …) when the kernel will not give it. */
  input(pin: number, opts: { activeLow: boolean; edge: Edge }): InputPin;
  /** Opens an output pin, driven inactive; throws like input(). */
  output(pin: number, opts: { activeLow: boolean }): OutputPin;
}
