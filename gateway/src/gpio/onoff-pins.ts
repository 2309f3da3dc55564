import type { Gpio as OnoffGpio } from 'onoff';
import type { Edge, InputPin, Level, OutputPin, PinBank } from './pins.js';

type GpioClass = typeof OnoffGpio;

/**
 * Pins through onoff (the kernel's sysfs GPIO interface): the only file that imports it. onoff is
 * loaded on first use, so a machine whose native epoll binding does not load still runs the rest
 * of the gateway. onoff's own debounce is not used: it runs on real timers (lodash.debounce), so
 * it could not be tested with fake time; gpio/button.ts debounces on the injected clock instead.
 */
export class OnoffPinBank implements PinBank {
  private Gpio: GpioClass | undefined;

  async unavailable(): Promise<string | undefined> {
    let Gpio: GpioClass;
    try {
      ({ Gpio } = await import('onoff'));
    } catch (err) {
      return `the onoff GPIO library does not load here (${(err as Error).message})`;
    }
    if (!Gpio.accessible) return '/sys/class/gpio/export cannot be written (no sysfs GPIO, or no permission)';
    this.Gpio = Gpio;
    return undefined;
  }

  input(pin: number, opts: { activeLow: boolean; edge: Edge }): InputPin {
    const gpio = new (this.loaded())(pin, 'in', opts.edge, { activeLow: opts.activeLow });
    let listener: ((err: Error | null | undefined, value: Level) => void) | undefined;
    return {
      pin,
      read: () => gpio.readSync(),
      watch(onEdge, onError) {
        listener = (err, value) => (err ? onError(err) : onEdge(value));
        gpio.watch(listener);
      },
      unwatch() {
        if (listener) gpio.unwatch(listener);
        listener = undefined;
      },
      close: () => gpio.unexport(),
    };
  }

  output(pin: number, opts: { activeLow: boolean }): OutputPin {
    // 'low' sets the direction and the inactive level in one write: the lamp never blinks on at open.
    const gpio = new (this.loaded())(pin, opts.activeLow ? 'high' : 'low', 'none', {
      activeLow: opts.activeLow,
    });
    // Not unexported on close: the line keeps its level, so a lamp left on when the gateway stops
    // still shows the call (unexporting may hand the line back to its default); the next start
    // takes the exported pin over and drives it again.
    return { pin, write: (level) => gpio.writeSync(level), close: () => undefined };
  }

  private loaded(): GpioClass {
    if (!this.Gpio) throw new Error('GPIO is not available on this machine (see unavailable())');
    return this.Gpio;
  }
}
