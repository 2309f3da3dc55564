import { IdPattern } from '@careedge/edge';
import { type Static, Type } from '@sinclair/typebox';

const Pin = Type.Integer({
  minimum: 0,
  maximum: 4095,
  description: 'GPIO number (BCM numbering on a Raspberry Pi; `pinBase` is added to it).',
});
const Id = (description: string) => Type.String({ pattern: IdPattern, description });

const GpioInput = Type.Object(
  {
    pin: Pin,
    device: Id(
      'The care-button device (site file) this input is: its presses raise calls for that device’s room.',
    ),
    source: Type.Union([Type.Literal('button'), Type.Literal('pull-cord')], {
      default: 'button',
      description: 'What is wired to the pin; a call says which.',
    }),
    activeLow: Type.Boolean({
      default: true,
      description: 'Pressed pulls the pin to ground (a switch to GND with the pull-up on): the usual wiring.',
    }),
    debounceMs: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 50,
      description: 'The contact must be still this long before a press or release counts.',
    }),
    longPressMs: Type.Integer({
      minimum: 200,
      maximum: 30_000,
      default: 2000,
      description: 'Held at least this long: a long press.',
    }),
    longPress: Type.Union([Type.Literal('cancel'), Type.Literal('presence'), Type.Literal('none')], {
      default: 'cancel',
      description:
        'What a long press means: `cancel` (the reset: withdraws the room’s call; with no call open in the room it is a call, so someone holding the button in distress is heard), `presence` (staff presence on, or off when set: DIN VDE 0834; for a key only staff use), `none` (every press is a call, sent as soon as it is pressed). With `cancel` or `presence` a short press is sent when it is released.',
    }),
  },
  { additionalProperties: false },
);

const GpioOutput = Type.Object(
  {
    pin: Pin,
    kind: Type.Union([Type.Literal('dome-light'), Type.Literal('buzzer')], {
      description: 'A dome (signal) light above a door or in a corridor, or a buzzer.',
    }),
    colour: Type.Optional(
      Type.Union([Type.Literal('red'), Type.Literal('yellow'), Type.Literal('any')], {
        description:
          'Dome lights only. A light with one lamp per colour has one output per lamp: `red` flashes ~2 Hz for a high-priority alert, `yellow` flashes ~0.6 Hz for medium and is steady for low (IEC 60601-1-8). `any` (default): a single lamp that shows every priority’s pattern.',
      }),
    ),
    room: Type.Optional(Id('The room whose alerts it shows (a light above the room’s door).')),
    zone: Type.Optional(Id('The zone whose alerts it shows (a corridor light); give room or zone.')),
    activeLow: Type.Boolean({
      default: false,
      description: 'The lamp or buzzer is on when the pin is low (a driver that sinks current).',
    }),
  },
  { additionalProperties: false },
);

/** Care buttons, pull cords, dome lights and buzzers on GPIO pins (gateway/src/gpio/). */
export const GpioSettings = Type.Object(
  {
    pinBase: Type.Integer({
      minimum: 0,
      maximum: 4095,
      default: 0,
      description:
        'Added to every pin number to give the kernel’s GPIO number: 0 on older kernels; on Raspberry Pi OS with kernel 6.6 or later the base of the GPIO chip (512 on a Pi 4, 571 on a Pi 5; `cat /sys/kernel/debug/gpio` shows it).',
    }),
    inputs: Type.Array(GpioInput, {
      default: [],
      description: 'Care buttons and pull cords wired to input pins.',
    }),
    outputs: Type.Array(GpioOutput, {
      default: [],
      description: 'Dome lights and buzzers wired to output pins.',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'Buttons and lights wired to GPIO pins. Empty: the GPIO module does not start. On a machine without GPIO it says so once and stays off.',
  },
);

export type GpioConfig = Static<typeof GpioSettings>;
export type GpioInputConfig = Static<typeof GpioInput>;
export type GpioOutputConfig = Static<typeof GpioOutput>;

/** Rules between GPIO settings the schema cannot state, as `path: message` lines. */
export function gpioProblems(gpio: GpioConfig): string[] {
  const problems: string[] = [];
  const used = new Map<number, string>();
  const claim = (pin: number, path: string) => {
    const first = used.get(pin);
    if (first) problems.push(`${path}.pin: pin ${pin} is already used by ${first}`);
    else used.set(pin, path);
  };
  gpio.inputs.forEach((input, i) => {
    const path = `gpio.inputs[${i}]`;
    claim(input.pin, path);
    if (input.longPress !== 'none' && input.longPressMs <= input.debounceMs)
      problems.push(`${path}.longPressMs: must be longer than debounceMs`);
  });
  gpio.outputs.forEach((output, i) => {
    const path = `gpio.outputs[${i}]`;
    claim(output.pin, path);
    if ((output.room === undefined) === (output.zone === undefined))
      problems.push(`${path}: give room (a light at a door) or zone (a corridor light), exactly one`);
    if (output.kind === 'buzzer' && output.colour !== undefined)
      problems.push(`${path}.colour: only a dome-light has a colour`);
  });
  return problems;
}
