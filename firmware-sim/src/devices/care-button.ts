import type { CallSource } from '@careedge/edge';
import type { Sent } from './sim-client.js';
import { type DeviceEvents, SimDevice, type SimDeviceOptions } from './sim-device.js';

/**
 * A room's care button / pull cord with a staff presence key (DIN VDE 0834). The button only
 * reports what was pressed; whether a call during presence is an emergency call is the gateway's
 * rule, so the simulator keeps presence state only to report it, never to decide.
 */
export class CareButton extends SimDevice<DeviceEvents> {
  private presenceOn = false;

  constructor(opts: SimDeviceOptions) {
    super(opts);
  }

  get presenceSet(): boolean {
    return this.presenceOn;
  }

  /** The resident calls for staff. */
  call(source: CallSource = 'button'): Promise<Sent> {
    return this.event({ type: 'call', source });
  }

  /** Staff presence key set (`true`) or cleared (`false`) in the room. */
  presence(on: boolean): Promise<Sent> {
    this.presenceOn = on;
    return this.event({ type: 'presence', on });
  }

  /** Reset at the device: withdraws the open call. */
  cancel(): Promise<Sent> {
    return this.event({ type: 'cancel' });
  }
}
