import type { WristbandTelemetry } from '@careedge/edge';
import type { Sent } from './sim-client.js';
import { type DeviceEvents, SimDevice, type SimDeviceOptions } from './sim-device.js';

/** The reading fields of a telemetry message (everything but seq and ts). */
export type Readings = Omit<WristbandTelemetry, 'seq' | 'ts'>;

export interface WristbandOptions extends SimDeviceOptions {
  /** Random source for generated readings; tests pass a seeded one for repeatable values. */
  random?: () => number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * The readings of a resident's wristband, generated as small random walks around a per-band
 * resting heart rate, so values look like a person rather than noise; the gateway's rules see
 * plausible input in demos and under load. Shared by the simulated band and the load generator's
 * lean band.
 */
export class BandReadings {
  worn = true;
  private heartRate: number;
  private readonly restingHeartRate: number;
  private activity: number;
  private battery: number;
  private rssi: number;

  constructor(private readonly random: () => number = Math.random) {
    this.restingHeartRate = 58 + Math.round(random() * 24);
    this.heartRate = this.restingHeartRate;
    this.activity = random() * 20;
    this.battery = 60 + Math.round(random() * 40);
    this.rssi = -55 - Math.round(random() * 25);
  }

  /** Next generated readings; each call moves the walk one step. */
  next(): Readings {
    const r = this.random;
    this.activity = clamp(this.activity + (r() - 0.5) * 12, 0, 100);
    // Heart rate follows activity: resting rate plus up to ~45 bpm when very active, plus jitter.
    const target = this.restingHeartRate + this.activity * 0.45;
    this.heartRate = clamp(this.heartRate + (target - this.heartRate) * 0.3 + (r() - 0.5) * 4, 40, 180);
    if (r() < 0.002) this.battery = Math.max(0, this.battery - 1);
    this.rssi = clamp(this.rssi + Math.round((r() - 0.5) * 4), -95, -40);
    const readings: Readings = {
      activity: Math.round(this.activity * 10) / 10,
      steps: Math.round(this.activity * r() * 1.5),
      worn: this.worn,
      batteryPct: this.battery,
      rssiDbm: this.rssi,
    };
    // No skin contact, no pulse: the schema says heart rate is absent while the band is not worn.
    if (this.worn) readings.heartRateBpm = Math.round(this.heartRate);
    return readings;
  }
}

/** A resident's wristband over MQTT.js: telemetry (see BandReadings), SOS, falls, off-wrist. */
export class Wristband extends SimDevice<DeviceEvents> {
  private readonly readings: BandReadings;

  constructor(opts: WristbandOptions) {
    super(opts);
    this.readings = new BandReadings(opts.random);
  }

  /** Next generated readings; each call moves the walk one step. */
  nextReadings(): Readings {
    return this.readings.next();
  }

  /** Publishes one telemetry message; `readings` override the generated values field by field. */
  telemetry(readings: Partial<Readings> = {}): Promise<Sent> {
    return this.publish('deviceTelemetry', { ...this.nextReadings(), ...readings });
  }

  /** The resident pressed the SOS button. */
  sos(): Promise<Sent> {
    return this.event({ type: 'sos' });
  }

  /** The band detected a fall. */
  fall(confidence?: number): Promise<Sent> {
    return this.event(confidence === undefined ? { type: 'fall' } : { type: 'fall', confidence });
  }

  /** The band lost skin contact; later telemetry says `worn: false` until `putOn()`. */
  offWrist(): Promise<Sent> {
    this.readings.worn = false;
    return this.event({ type: 'off-wrist' });
  }

  putOn(): void {
    this.readings.worn = true;
  }
}
