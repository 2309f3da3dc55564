import type { ChannelMessage, DeviceConfiguration, Face, KioskThanks } from '@careedge/edge';
import type { Sent } from './sim-client.js';
import { type DeviceEvents, SimDevice, type SimDeviceOptions } from './sim-device.js';

export interface KioskEvents extends DeviceEvents {
  /** The gateway thanked the kiosk for a tap. */
  thanks: [KioskThanks];
  /** The gateway's settings for the kiosk (retained): the reasons to offer. */
  configuration: [DeviceConfiguration];
}

/**
 * A feedback kiosk over MQTT.js: four faces, an optional reason, and a "call staff" key (a `call`
 * event, as a care button's). It listens for its thank-you and its configuration.
 */
export class Kiosk extends SimDevice<KioskEvents> {
  constructor(opts: SimDeviceOptions) {
    super(opts, ['deviceThanks', 'deviceConfiguration']);
  }

  /** Someone taps a face, and perhaps a reason after it. */
  tap(face: Face, reason?: string): Promise<Sent> {
    return this.publish('deviceTap', reason === undefined ? { face } : { face, reason });
  }

  /** Button mashing: `times` taps of one face, `everyMs` apart (the gateway filters them). */
  async mash(face: Face, times: number, everyMs = 250): Promise<Sent[]> {
    const sent: Sent[] = [];
    for (let i = 0; i < times; i++) {
      if (i > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, everyMs));
      sent.push(await this.tap(face));
    }
    return sent;
  }

  /** The "call staff" key: a call for the kiosk's room. */
  callStaff(): Promise<Sent> {
    return this.event({ type: 'call', source: 'button' });
  }

  protected override onInbound(message: ChannelMessage): void {
    if (message.channel === 'deviceThanks') this.emit('thanks', message.payload);
    else if (message.channel === 'deviceConfiguration') this.emit('configuration', message.payload);
    else super.onInbound(message);
  }
}
