import type { DeviceEvent, OmitEach, PayloadOf } from '@careedge/edge';
import { BandModel } from './band-readings.js';
import { type DayPlan, planDay } from './day-plan.js';
import type { LocalDays } from './local-days.js';
import type { ResidentProfile } from './profiles.js';
import { situationAt } from './situation.js';
import type { Gap, HistoryMessage, Incident } from './types.js';

const MIN = 60_000;
/** MQTT.js's default keep-alive is 60 s; a broker publishes the will after 1.5 × that. */
const WILL_AFTER_MS = 90_000;
/** Battery of a dead band that staff found and charged before putting it back on. */
const BATTERY_WHEN_BACK = 60;

export interface ResidentHistoryOptions {
  profile: ResidentProfile;
  /** The local days: plans are in wall-clock minutes, turned into instants by these. */
  days: LocalDays;
  /** This resident's incidents, sorted by startTs. */
  incidents: Incident[];
  random: () => number;
  telemetryS: number;
  heartbeatS: number;
  missingHourChance: number;
}

/** A stretch with no messages: out of range (a gap), or a dead battery until staff charge it. */
interface Silence {
  fromTs: number;
  toTs: number;
  reboot: boolean;
}

type Agenda = {
  ts: number;
  act: 'fall' | 'off-wrist' | 'last-gasp' | 'will' | 'reconnect';
  silence?: Silence;
};

/**
 * One resident's band over the whole history: the days planned up front (small), the messages
 * made one at a time in time order by `messages()`, so nothing of the stream is kept.
 */
export class ResidentHistory {
  readonly gaps: Gap[] = [];
  private readonly plans: DayPlan[];
  private readonly skipCharge = new Set<number>();
  private readonly silences: Silence[] = [];
  private readonly agenda: Agenda[] = [];

  constructor(private readonly o: ResidentHistoryOptions) {
    const { profile, days, incidents, random } = o;
    const incidentDays = new Set(incidents.map((i) => dayOf(days.midnights, i.startTs)));
    this.plans = days.midnights.slice(0, -1).map((_, d) => {
      const plan = planDay(profile, random, incidentDays.has(d) ? 0 : o.missingHourChance);
      if (plan.missingHourMin !== undefined) {
        const fromTs = days.instantAt(d, plan.missingHourMin);
        this.silences.push({ fromTs, toTs: fromTs + 60 * MIN, reboot: false });
        this.gaps.push({
          residentId: profile.residentId,
          deviceId: profile.deviceId,
          fromTs,
          toTs: fromTs + 60 * MIN,
        });
      }
      return plan;
    });
    for (const incident of incidents) this.prepare(incident);
    for (const silence of this.silences) {
      this.agenda.push({ ts: silence.fromTs + WILL_AFTER_MS, act: 'will' });
      this.agenda.push({ ts: silence.toTs, act: 'reconnect', silence });
    }
    this.agenda.sort((a, b) => a.ts - b.ts);
    this.silences.sort((a, b) => a.fromTs - b.fromTs);
  }

  private prepare(incident: Incident): void {
    const { days } = this.o;
    const { midnights } = days;
    const m = incident.marks;
    switch (incident.kind) {
      case 'late-rising': {
        // Still in bed from the usual time: no getting up for the toilet after it either.
        const day = dayOf(midnights, incident.startTs);
        const plan = this.plans[day]!;
        plan.wakeMin = Math.round(days.wallMinute(day, incident.endTs));
        plan.nightVisits = plan.nightVisits.filter((v) => v.toMin < this.o.profile.wakeMin - 60);
        return;
      }
      case 'dead-battery': {
        // The evening before, the band missed its charge; at 0 % it sends a last reading and dies.
        this.skipCharge.add(dayOf(midnights, m.batteryZeroTs!) - 1);
        // The last reading is on the agenda, so it goes out though the silence starts with it.
        this.agenda.push({ ts: m.batteryZeroTs!, act: 'last-gasp' });
        this.silences.push({ fromTs: m.batteryZeroTs!, toTs: m.backTs!, reboot: true });
        return;
      }
      case 'fall-no-motion':
        this.agenda.push({ ts: m.fallTs!, act: 'fall' });
        return;
      case 'band-off':
        this.agenda.push({ ts: m.offWristTs!, act: 'off-wrist' });
        return;
      case 'daytime-inactivity':
      case 'night-wandering':
      case 'tachycardia':
        return;
    }
  }

  *messages(): Generator<HistoryMessage> {
    const { profile, days, incidents, random, telemetryS, heartbeatS } = this.o;
    const { midnights } = days;
    const deviceId = profile.deviceId;
    const start = midnights[0]!;
    const end = midnights[midnights.length - 1]!;
    const band = new BandModel(profile.restingHeartRate, profile.drainPctPerHour, random, start);
    let seq = 0;
    let bootTs = start;
    let will: PayloadOf<'deviceStatus'> = { seq: 0, ts: start, state: 'offline' };
    const connect = (ts: number): HistoryMessage => {
      // The will is made with the CONNECT and takes its seq then (sim-client.ts does the same).
      will = { seq: seq++, ts, state: 'offline' };
      return { ts, deviceId, channel: 'deviceStatus', payload: { seq: seq++, ts, state: 'online' } };
    };
    const event = (ts: number, body: OmitEach<DeviceEvent, 'seq' | 'ts'>): HistoryMessage => ({
      ts,
      deviceId,
      channel: 'deviceEvent',
      payload: { seq: seq++, ts, ...body } as DeviceEvent,
    });
    let day = 0;
    let inc = 0;
    let silence = 0;
    /** Moves the resident and the battery to a telemetry tick; the battery charges even when silent. */
    const advance = (ts: number) => {
      while (ts >= midnights[day + 1]!) day++;
      while (inc < incidents.length && incidents[inc]!.endTs <= ts) inc++;
      const incident = incidents[inc] && incidents[inc]!.startTs <= ts ? incidents[inc] : undefined;
      const s = situationAt({
        profile,
        plan: this.plans[day]!,
        minute: days.wallMinute(day, ts),
        charges: !this.skipCharge.has(day),
        incident,
        random,
      });
      // A dead battery's incident starts when the cell begins failing: from then it drains to 0.
      const zeroTs = incident?.kind === 'dead-battery' ? incident.marks.batteryZeroTs : undefined;
      band.advanceBattery(ts, s.charging, zeroTs);
      return s;
    };
    const telemetry = (ts: number): HistoryMessage => ({
      ts,
      deviceId,
      channel: 'deviceTelemetry',
      payload: { seq: seq++, ts, ...band.readings(advance(ts), telemetryS) },
    });
    const silentAt = (ts: number) => {
      while (silence < this.silences.length && this.silences[silence]!.toTs <= ts) silence++;
      const s = this.silences[silence];
      return s !== undefined && s.fromTs <= ts;
    };

    yield connect(start);
    let nextTel = start + Math.floor(random() * telemetryS) * 1000;
    let nextHb = start + Math.floor(random() * heartbeatS) * 1000;
    let a = 0;
    for (;;) {
      const due = this.agenda[a];
      const ts = Math.min(nextTel, nextHb, due?.ts ?? end);
      if (ts >= end) return;
      if (due && due.ts === ts) {
        a++;
        switch (due.act) {
          case 'fall':
            yield event(ts, { type: 'fall', confidence: 0.9 });
            break;
          case 'off-wrist':
            yield event(ts, { type: 'off-wrist' });
            break;
          case 'last-gasp':
            yield telemetry(ts);
            break;
          case 'will':
            yield { ts, deviceId, channel: 'deviceStatus', payload: will };
            break;
          case 'reconnect':
            if (due.silence?.reboot) {
              seq = 0;
              bootTs = ts;
              band.rebooted(ts, BATTERY_WHEN_BACK);
            }
            yield connect(ts);
            break;
        }
      } else if (ts === nextTel) {
        nextTel += telemetryS * 1000;
        if (!silentAt(ts)) yield telemetry(ts);
        else advance(ts);
      } else {
        nextHb += heartbeatS * 1000;
        if (!silentAt(ts)) {
          const uptimeS = Math.floor((ts - bootTs) / 1000);
          yield {
            ts,
            deviceId,
            channel: 'deviceHeartbeat',
            payload: { seq: seq++, ts, intervalS: heartbeatS, uptimeS },
          };
        }
      }
    }
  }
}

/** The index of the local day an instant falls in. */
function dayOf(midnights: number[], ts: number): number {
  let d = 0;
  while (d < midnights.length - 2 && ts >= midnights[d + 1]!) d++;
  return d;
}
