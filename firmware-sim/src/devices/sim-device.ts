import type { ChannelKey, ChannelMessage, Reassurance } from '@careedge/edge';
import { type BodyOf, type ClientEvents, type Sent, SimClient, type SimClientOptions } from './sim-client.js';

export const SIM_FIRMWARE = 'careedge-sim/0.1';

export interface SimDeviceOptions extends SimClientOptions {
  /**
   * Seconds between heartbeats (EN 50134 supervision); `false` sends none, for tests that count
   * messages. The first heartbeat goes out right after `online`.
   */
  heartbeatS?: number | false;
}

export interface DeviceEvents extends ClientEvents {
  /** The gateway told the resident help is coming (or that the alert is closed). */
  reassurance: [Reassurance];
}

/** A resident-side device: heartbeats, and listens for reassurance on its own topic. */
export abstract class SimDevice<
  E extends DeviceEvents & Record<keyof E, unknown[]> = DeviceEvents,
> extends SimClient<E> {
  readonly heartbeatS: number | false;
  private heartbeatTimer: unknown;
  private readonly bootAt: number;

  /** `downlinks`: the device's other downward channels it listens to (a kiosk's thank-you). */
  protected constructor(opts: SimDeviceOptions, downlinks: ChannelKey[] = []) {
    super('device', opts, ['deviceReassurance', ...downlinks]);
    this.heartbeatS = opts.heartbeatS ?? 60;
    this.bootAt = this.clock.now();
  }

  /** Sends one heartbeat now (the timer calls this; tests and runners may too). */
  heartbeat(): Promise<Sent> {
    const interval = this.heartbeatS === false ? 60 : this.heartbeatS;
    return this.publish('deviceHeartbeat', {
      intervalS: interval,
      uptimeS: Math.floor((this.clock.now() - this.bootAt) / 1000),
      firmware: SIM_FIRMWARE,
    });
  }

  protected override onOnline(): void {
    this.stopHeartbeat();
    if (this.heartbeatS === false) return;
    const periodMs = this.heartbeatS * 1000;
    const beat = () => {
      this.heartbeat().catch((err: Error) => this.fire('trouble', err));
      this.heartbeatTimer = this.clock.setTimeout(beat, periodMs);
    };
    beat();
  }

  protected override onClosing(): void {
    this.stopHeartbeat();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  protected override onInbound(message: ChannelMessage): void {
    if (message.channel === 'deviceReassurance') {
      (this as unknown as SimDevice).emit('reassurance', message.payload);
    }
  }

  /** Publishes a device event (`type` plus its fields) on the device's event channel. */
  protected event(body: BodyOf<'deviceEvent'>): Promise<Sent> {
    return this.publish('deviceEvent', body);
  }
}
