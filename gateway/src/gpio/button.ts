import type { Clock } from '../core/clock.js';
import type { InputPin, Level } from './pins.js';

/** Debounce times of unbroken chatter after which a closed contact counts (see bounce()). */
const CHATTER_DEBOUNCES = 20;

/** What a debounced button did: `press` (no long press: sent at once), `short` or `long`. */
export type Press = 'press' | 'short' | 'long';

export interface ButtonTiming {
  debounceMs: number;
  longPressMs: number;
  /** false: every press counts as it is pressed, with no wait for its release. */
  tellsLong: boolean;
}

/**
 * One input's contact, debounced on the injected clock and told apart as short and long presses.
 * Debounce: every edge restarts a timer; when the contact has been still for debounceMs, the pin's
 * level then is what counts. A long press is reported while still held, at longPressMs.
 */
export class DebouncedButton {
  /** The last level that counted; 0 at start, so a contact already closed counts as a press. */
  private level: Level = 0;
  private settling: unknown;
  /** When the contact began to move without keeping still since (undefined: it is still). */
  private chatterSince: number | undefined;
  private holding: unknown;

  constructor(
    private readonly pin: InputPin,
    private readonly clock: Clock,
    private readonly timing: ButtonTiming,
    private readonly onPress: (press: Press) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  start(): void {
    this.pin.watch(() => this.bounce(), this.onError);
    // A pull cord left pulled while the gateway was down is still a call.
    if (this.pin.read() === 1) this.bounce();
  }

  stop(): void {
    this.pin.unwatch();
    this.clock.clearTimeout(this.settling);
    this.clock.clearTimeout(this.holding);
    this.settling = this.holding = undefined;
    this.chatterSince = undefined;
  }

  private bounce(): void {
    this.clock.clearTimeout(this.settling);
    const now = this.clock.now();
    this.chatterSince ??= now;
    // A contact that never keeps still (a corroded cord switch, a noisy line) would restart the
    // timer for ever and never call: after CHATTER_DEBOUNCES debounce times of chatter, a closed
    // contact counts as a call now, and never as a long press (a cancel must be a deliberate hold).
    const chattering = now - this.chatterSince >= CHATTER_DEBOUNCES * this.timing.debounceMs;
    this.settling = this.clock.setTimeout(
      () => {
        this.settling = undefined;
        this.chatterSince = undefined;
        this.settle(this.readSafely(), chattering);
      },
      chattering ? 0 : this.timing.debounceMs,
    );
  }

  private readSafely(): Level {
    try {
      return this.pin.read();
    } catch (err) {
      this.onError(err as Error);
      return this.level;
    }
  }

  private settle(level: Level, chattering = false): void {
    if (level === this.level) return;
    this.level = level;
    const { tellsLong, longPressMs, debounceMs } = this.timing;
    if (level === 1) {
      if (!tellsLong || chattering) {
        this.onPress('press');
        return;
      }
      // Counted from the first edge, which was debounceMs ago.
      this.holding = this.clock.setTimeout(() => {
        this.holding = undefined;
        this.onPress('long');
      }, longPressMs - debounceMs);
    } else if (this.holding !== undefined) {
      this.clock.clearTimeout(this.holding);
      this.holding = undefined;
      this.onPress('short');
    }
  }
}
