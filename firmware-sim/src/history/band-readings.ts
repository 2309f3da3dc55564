import type { Readings } from '../devices/wristband.js';
import type { Situation } from './situation.js';

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Charge gained per minute on the charger, percent. */
const CHARGE_PCT_PER_MIN = 2.5;

/**
 * A band's readings over time, with the field conventions of the live simulated wristband
 * (BandReadings): activity 0–100 to one decimal, heart rate following activity (resting +
 * 0.45 × activity), no heart rate while not worn, a random-walk signal strength. Normal heart
 * rates stay within 45–112 bpm so that only an incident crosses a vitals threshold.
 */
export class BandModel {
  battery: number;
  private rssi: number;
  private wander = 0;
  private lastTs: number;

  constructor(
    private readonly restingHeartRate: number,
    private readonly drainPctPerHour: number,
    private readonly random: () => number,
    startTs: number,
  ) {
    this.battery = 70 + random() * 25;
    this.rssi = -55 - Math.round(random() * 25);
    this.lastTs = startTs;
  }

  /** Moves the battery to `ts`: charging, normal drain, or a failing cell reaching 0 at `zeroTs`. */
  advanceBattery(ts: number, charging: boolean, zeroTs?: number): void {
    const dtMin = (ts - this.lastTs) / 60_000;
    this.lastTs = ts;
    if (zeroTs !== undefined) {
      const leftMin = (zeroTs - ts) / 60_000;
      this.battery = leftMin <= 0 ? 0 : this.battery * (leftMin / (leftMin + dtMin));
    } else if (charging) {
      this.battery = Math.min(100, this.battery + CHARGE_PCT_PER_MIN * dtMin);
    } else {
      this.battery = Math.max(1, this.battery - (this.drainPctPerHour * dtMin) / 60);
    }
  }

  /** A band rebooted after its battery died and was put back on charge by staff. */
  rebooted(ts: number, battery: number): void {
    this.battery = battery;
    this.lastTs = ts;
  }

  readings(s: Situation, intervalS: number): Readings {
    const r = this.random;
    // A slow day-to-day-ish wander (±20 %) so that two days of the same plan differ.
    this.wander = clamp(this.wander * 0.97 + (r() - 0.5) * 0.04, -0.2, 0.2);
    const noise = s.still ? r() * 1.5 : s.asleep ? (r() - 0.5) * 2.4 : (r() - 0.5) * 12;
    const activity = clamp(s.activity * (1 + this.wander) + noise, 0, s.worn ? 70 : 0);
    const walking = Math.max(0, activity - 8);
    this.rssi = clamp(this.rssi + Math.round((r() - 0.5) * 4), -95, -40);
    const readings: Readings = {
      activity: Math.round(activity * 10) / 10,
      steps: Math.round(walking * (0.8 + r() * 0.8) * (intervalS / 60)),
      worn: s.worn,
      batteryPct: Math.round(this.battery),
      rssiDbm: this.rssi,
    };
    if (s.worn) {
      const asleep = s.asleep ? -6 : 0;
      const normal = clamp(this.restingHeartRate + activity * 0.45 + asleep + (r() - 0.5) * 6, 45, 112);
      readings.heartRateBpm = Math.round(s.heartRateBpm ?? normal);
    }
    return readings;
  }
}
