import { describe, expect, it } from 'vitest';
import { ConfigError, type DeepPartial, loadConfig } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { FakePinBank } from '../../src/gpio/fake-pins.js';
import { testGateway } from '../helpers/gateway.js';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('no ConfigError');
};

describe('GPIO settings', () => {
  it('fills in the defaults', () => {
    const c = loadConfig({
      overrides: { gpio: { inputs: [{ pin: 4, device: 'btn-n1' }] } } as DeepPartial<GatewayConfig>,
    });
    expect(c.gpio).toEqual({
      pinBase: 0,
      inputs: [
        {
          pin: 4,
          device: 'btn-n1',
          source: 'button',
          activeLow: true,
          debounceMs: 50,
          longPressMs: 2000,
          longPress: 'cancel',
        },
      ],
      outputs: [],
    });
  });

  it('refuses a pin used twice, room and zone both or neither, a buzzer colour, a long press within the debounce', () => {
    const gpio = {
      inputs: [
        { pin: 4, device: 'btn-n1' },
        { pin: 5, device: 'btn-n1', debounceMs: 500, longPressMs: 400 },
      ],
      outputs: [
        { pin: 4, kind: 'dome-light', room: 'n1' },
        { pin: 6, kind: 'dome-light', room: 'n1', zone: 'north' },
        { pin: 7, kind: 'buzzer', colour: 'red', zone: 'north' },
        { pin: 8, kind: 'buzzer' },
      ],
    };
    expect(problemsOf(() => loadConfig({ overrides: { gpio } as DeepPartial<GatewayConfig> }))).toEqual([
      'gpio.inputs[1].longPressMs: must be longer than debounceMs',
      'gpio.outputs[0].pin: pin 4 is already used by gpio.inputs[0]',
      'gpio.outputs[1]: give room (a light at a door) or zone (a corridor light), exactly one',
      'gpio.outputs[2].colour: only a dome-light has a colour',
      'gpio.outputs[3]: give room (a light at a door) or zone (a corridor light), exactly one',
    ]);
  });

  it('refuses what the schema refuses, with its path', () => {
    const gpio = {
      inputs: [{ pin: 4, device: 'btn-n1', longPress: 'reset' }],
      outputs: [{ pin: -1, kind: 'lamp' }],
    };
    const problems = problemsOf(() => loadConfig({ overrides: { gpio } as DeepPartial<GatewayConfig> }));
    expect(problems.some((p) => p.startsWith('gpio.inputs[0].longPress'))).toBe(true);
    expect(problems.some((p) => p.startsWith('gpio.outputs[0].pin'))).toBe(true);
    expect(problems.some((p) => p.startsWith('gpio.outputs[0].kind'))).toBe(true);
  });

  it('the gateway refuses to start when the settings name a device, room or zone the site register lacks', async () => {
    const gpio = {
      inputs: [
        { pin: 4, device: 'btn-x' },
        { pin: 5, device: 'wb-1' },
      ],
      outputs: [
        { pin: 6, kind: 'dome-light', room: 'n9' },
        { pin: 7, kind: 'buzzer', zone: 'east' },
      ],
    };
    const started = testGateway({ gpio } as DeepPartial<GatewayConfig>, {
      pins: (clock) => new FakePinBank(() => clock.now()),
    });
    const err = await started.then(
      async (g) => {
        await g.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'gpio.inputs[0].device: no device "btn-x" in the site register',
      'gpio.inputs[1].device: "wb-1" is a wristband, not a care-button',
      'gpio.outputs[0].room: no room "n9" in the site register',
      'gpio.outputs[1].zone: no zone "east" in the site register',
    ]);
  });
});
