import type { LocalDays } from './local-days.js';
import type { ResidentProfile } from './profiles.js';
import { INCIDENT_KINDS, type Incident, type IncidentKind } from './types.js';

const MIN = 60_000;

/**
 * How long a reasonable rule may take to raise each kind, from the incident's `startTs`, and
 * what the data shows. Deadlines allow a rule's window plus a margin; see docs/ground-truth.md.
 */
export const INCIDENT_DEADLINES_S: Record<IncidentKind, number> = {
  // The fall event itself raises an alert; no motion after it should raise its priority.
  'fall-no-motion': 300,
  // Activity far below the resident's own rhythm for a 60-min window, plus margin.
  'daytime-inactivity': 5400,
  // From the usual getting-up time: "not up by usual + 60 min", plus margin.
  'late-rising': 5400,
  // A flagged resident moving at night for 10 min, plus margin.
  'night-wandering': 1200,
  // From when the battery starts failing: a low-battery warning, or at worst the device-offline
  // alert after it went silent (3 heartbeats + grace) with margin: 6 h of drain + 10 min.
  'dead-battery': 6 * 3600 + 600,
  // worn=false for 60 min in the day (longer than the nightly charge), plus margin.
  'band-off': 5400,
  // Heart rate > 120 sustained for 60 s at 60-s telemetry, plus margin.
  tachycardia: 300,
};

/** How long the data keeps showing each kind, and when in the local day it may start. */
const SHAPES = {
  'fall-no-motion': { fromMin: 600, toMin: 1080, lengthMin: [40, 50] },
  'daytime-inactivity': { fromMin: 600, toMin: 840, lengthMin: [180, 200] },
  'late-rising': { fromMin: 0, toMin: 0, lengthMin: [150, 210] },
  'night-wandering': { fromMin: 30, toMin: 200, lengthMin: [30, 50] },
  'dead-battery': { fromMin: 660, toMin: 900, lengthMin: [120, 240] },
  'band-off': { fromMin: 540, toMin: 840, lengthMin: [180, 240] },
  tachycardia: { fromMin: 600, toMin: 1020, lengthMin: [12, 20] },
} as const satisfies Record<IncidentKind, { fromMin: number; toMin: number; lengthMin: readonly number[] }>;

/** Hours a dead battery fails over before it reaches 0 (the charge the evening before is missed). */
export const BATTERY_FAIL_H = 6;

export interface IncidentPlanOptions {
  profiles: ResidentProfile[];
  /** The local days (local-days.ts): shapes are in wall-clock minutes of the day. */
  days: LocalDays;
  random: () => number;
  /** Incidents of each kind (at least one each, when there are days to hold them). */
  perKind: number;
}

/**
 * Places incidents at random (seeded) resident-days: at most one per resident-day (a dead
 * battery also claims the day before, whose evening charge it misses), not in the first
 * quarter of the history (rules that learn a baseline need some days), and night wandering only
 * for residents flagged at risk.
 */
export function planIncidents({ profiles, days: local, random, perKind }: IncidentPlanOptions): Incident[] {
  const days = local.midnights.length - 1;
  const firstDay = Math.min(days - 1, Math.max(1, Math.floor(days / 4)));
  const taken = new Set<string>();
  const incidents: Incident[] = [];
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const between = (lo: number, hi: number) => Math.round(lo + (hi - lo) * random());
  for (const kind of INCIDENT_KINDS) {
    const candidates = kind === 'night-wandering' ? profiles.filter((p) => p.nightWanderingRisk) : profiles;
    for (let n = 0; n < perKind; n++) {
      // A few tries for a free resident-day; a full calendar just gets fewer incidents.
      for (let attempt = 0; attempt < 50; attempt++) {
        const profile = pick(candidates);
        const day = between(firstDay, days - 1);
        const claims = kind === 'dead-battery' ? [day, day - 1] : [day];
        const keys = claims.map((d) => `${profile.residentId}/${d}`);
        if (keys.some((k) => taken.has(k))) continue;
        for (const k of keys) taken.add(k);
        incidents.push(placeIncident(kind, profile, (min) => local.instantAt(day, min), random, between));
        break;
      }
    }
  }
  incidents.sort((a, b) => a.startTs - b.startTs || a.residentId.localeCompare(b.residentId));
  incidents.forEach((incident, i) => {
    incident.id = `inc-${String(i + 1).padStart(3, '0')}`;
  });
  return incidents;
}

function placeIncident(
  kind: IncidentKind,
  profile: ResidentProfile,
  /** The instant of a wall-clock minute of the incident's day. */
  at: (min: number) => number,
  random: () => number,
  between: (lo: number, hi: number) => number,
): Incident {
  const shape = SHAPES[kind];
  const lengthMs = between(shape.lengthMin[0], shape.lengthMin[1]) * MIN;
  // Whole minutes plus a random second: an incident does not start on a telemetry tick.
  const startMin = kind === 'late-rising' ? profile.wakeMin : between(shape.fromMin, shape.toMin);
  const startTs = at(startMin) + Math.floor(random() * 60) * 1000;
  const base = {
    id: '',
    kind,
    residentId: profile.residentId,
    deviceId: profile.deviceId,
    deadlineS: INCIDENT_DEADLINES_S[kind],
  };
  switch (kind) {
    case 'dead-battery': {
      // startTs above is when the battery reaches 0; the incident starts when it begins failing.
      const failTs = startTs - BATTERY_FAIL_H * 3_600_000;
      return {
        ...base,
        startTs: failTs,
        endTs: startTs + lengthMs,
        marks: { batteryZeroTs: startTs, backTs: startTs + lengthMs },
      };
    }
    case 'late-rising':
      return {
        ...base,
        startTs,
        endTs: startTs + lengthMs,
        marks: { usualWakeTs: startTs, riseTs: startTs + lengthMs },
      };
    case 'fall-no-motion':
      return { ...base, startTs, endTs: startTs + lengthMs, marks: { fallTs: startTs } };
    case 'band-off':
      return { ...base, startTs, endTs: startTs + lengthMs, marks: { offWristTs: startTs } };
    case 'daytime-inactivity':
    case 'night-wandering':
    case 'tachycardia':
      return { ...base, startTs, endTs: startTs + lengthMs, marks: {} };
  }
}
