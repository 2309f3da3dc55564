import { EventEmitter } from 'node:events';
import type {
  CallSource,
  DeviceConfiguration,
  DownFrameName,
  Face,
  FramePayload,
  KioskThanks,
  Reassurance,
  UpFrameName,
} from '@careedge/edge';
import type { Clock } from '../clock.js';
import { SIM_FIRMWARE } from '../devices/sim-device.js';
import { BandReadings, type Readings } from '../devices/wristband.js';
import type { Downlink, SerialBaseStation } from './serial-base-station.js';

type Body<T extends UpFrameName> = Omit<FramePayload<T>, 'seq' | 'ts'>;

interface SerialDeviceEvents {
  reassurance: [Reassurance];
  thanks: [KioskThanks];
  configuration: [DeviceConfiguration];
}

/**
 * A device that reaches the gateway through a serial base station (`via:` in the site file): its
 * messages are the MQTT payloads (seq, ts, body) carried in frames; its downlinks come back the
 * same way. The base station retransmits until the gateway ACKs, so `send` resolves on the ACK
 * (for an alarm: once it is in the gateway's journal).
 */
abstract class SerialDevice extends EventEmitter<SerialDeviceEvents> {
  private seq = 1;
  private readonly bootAt: number;

  constructor(
    readonly id: string,
    protected readonly station: SerialBaseStation,
    protected readonly clock: Clock,
  ) {
    super();
    this.bootAt = clock.now();
    station.on('downlink', (frame) => {
      if (frame.deviceId === id) this.downlink(frame);
    });
  }

  /** The `seq` the next message will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  protected send<T extends UpFrameName>(type: T, body: Body<T>): Promise<void> {
    const payload = { seq: this.seq++, ts: this.clock.now(), ...body } as unknown as FramePayload<T>;
    return this.station.send(type, this.id, payload);
  }

  heartbeat(intervalS = 60): Promise<void> {
    return this.send('heartbeat', {
      intervalS,
      uptimeS: Math.floor((this.clock.now() - this.bootAt) / 1000),
      firmware: SIM_FIRMWARE,
    } as Body<'heartbeat'>);
  }

  private downlink(frame: Downlink): void {
    // The downlink frame types are named as the events: reassurance, thanks, configuration.
    const event = frame.type as DownFrameName & keyof SerialDeviceEvents;
    this.emit(event, frame.payload as never);
  }
}

/** A resident's wristband whose radio reaches a base station: SOS, falls, telemetry, reassurance back. */
export class SerialWristband extends SerialDevice {
  private readonly readings: BandReadings;

  constructor(id: string, station: SerialBaseStation, clock: Clock, random?: () => number) {
    super(id, station, clock);
    this.readings = new BandReadings(random);
  }

  sos(): Promise<void> {
    return this.send('event', { type: 'sos' } as Body<'event'>);
  }

  fall(confidence?: number): Promise<void> {
    return this.send(
      'event',
      (confidence === undefined ? { type: 'fall' } : { type: 'fall', confidence }) as Body<'event'>,
    );
  }

  /** The band lost skin contact; later telemetry says `worn: false`. */
  offWrist(): Promise<void> {
    this.readings.worn = false;
    return this.send('event', { type: 'off-wrist' } as Body<'event'>);
  }

  telemetry(readings: Partial<Readings> = {}): Promise<void> {
    return this.send('telemetry', { ...this.readings.next(), ...readings } as Body<'telemetry'>);
  }
}

/**
 * A feedback kiosk wired to a serial line (RS-485 or USB): four faces, a reason, the "call staff"
 * key; the thank-you and its configuration come back down the line.
 */
export class WiredKiosk extends SerialDevice {
  tap(face: Face, reason?: string): Promise<void> {
    return this.send('tap', (reason === undefined ? { face } : { face, reason }) as Body<'tap'>);
  }

  /** `times` taps of one face, `everyMs` apart: button mashing (the gateway filters it). */
  async mash(face: Face, times: number, everyMs = 250): Promise<void> {
    for (let i = 0; i < times; i++) {
      if (i > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, everyMs));
      await this.tap(face);
    }
  }

  callStaff(source: CallSource = 'button'): Promise<void> {
    return this.send('event', { type: 'call', source } as Body<'event'>);
  }
}
