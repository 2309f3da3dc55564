import { Type } from '@sinclair/typebox';

/** Care buttons, pull cords, dome lights and buzzers on GPIO pins (gateway/src/gpio/). */
export const GpioSettings = Type.Object(
  {},
  { additionalProperties: false, default: {}, description: 'Buttons and lights wired to GPIO pins.' },
);
