import type { GpioConfig } from '../config/gpio.js';
import type { SiteRegister } from '../register/register.js';

/**
 * What the GPIO settings name that the site register does not have, as `path: message` lines:
 * checked when the gateway starts (the register is loaded then), and the start is refused.
 */
export function gpioRegisterProblems(
  gpio: GpioConfig,
  register: Pick<SiteRegister, 'device' | 'room' | 'zone'>,
): string[] {
  const problems: string[] = [];
  gpio.inputs.forEach((input, i) => {
    const device = register.device(input.device);
    if (!device) problems.push(`gpio.inputs[${i}].device: no device "${input.device}" in the site register`);
    else if (device.kind !== 'care-button')
      problems.push(`gpio.inputs[${i}].device: "${input.device}" is a ${device.kind}, not a care-button`);
  });
  gpio.outputs.forEach((output, i) => {
    if (output.room !== undefined && !register.room(output.room))
      problems.push(`gpio.outputs[${i}].room: no room "${output.room}" in the site register`);
    if (output.zone !== undefined && !register.zone(output.zone))
      problems.push(`gpio.outputs[${i}].zone: no zone "${output.zone}" in the site register`);
  });
  return problems;
}
