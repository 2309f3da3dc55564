import { type DayPlan, plannedActivity } from './day-plan.js';
import type { ResidentProfile } from './profiles.js';
import type { Incident } from './types.js';

/**
 * What is going on with a resident and their band at one instant, before sample noise: the
 * day's plan, overlaid by the nightly charge and by an incident in progress. band-readings.ts
 * turns it into wire readings.
 */
export interface Situation {
  /** Planned movement, 0–100, before noise. */
  activity: number;
  asleep: boolean;
  worn: boolean;
  charging: boolean;
  /** Heart rate forced by an incident (tachycardia), else undefined: it follows activity. */
  heartRateBpm?: number;
  /** Lying or sitting completely still (after a fall, unusual inactivity): no noise above ~2. */
  still: boolean;
}

export interface SituationInput {
  profile: ResidentProfile;
  plan: DayPlan;
  /** Local minutes after midnight of the plan's day. */
  minute: number;
  /** Whether the plan's day has its evening charge (a dead battery's eve skips it). */
  charges: boolean;
  incident: Incident | undefined;
  random: () => number;
}

export function situationAt({ profile, plan, minute, charges, incident, random }: SituationInput): Situation {
  const planned = plannedActivity(plan, profile, minute);
  const charging =
    charges && minute >= profile.chargeStartMin && minute < profile.chargeStartMin + profile.chargeMin;
  const normal: Situation = {
    activity: planned.activity,
    asleep: planned.asleep,
    worn: !charging,
    charging,
    still: false,
  };
  if (!incident) return normal;
  switch (incident.kind) {
    case 'fall-no-motion':
      return {
        ...normal,
        activity: 0,
        asleep: false,
        still: true,
        heartRateBpm: profile.restingHeartRate + 8,
      };
    case 'daytime-inactivity':
      return { ...normal, activity: 0.5, asleep: false, still: true };
    case 'night-wandering':
      return { ...normal, activity: 35 + random() * 20, asleep: false };
    case 'band-off':
      return { ...normal, activity: 0, worn: false, still: true };
    case 'tachycardia':
      return {
        ...normal,
        activity: Math.min(planned.activity, 12),
        heartRateBpm: 125 + Math.round(random() * 20),
      };
    case 'late-rising': // the plan's own wake time was moved; nothing else changes
    case 'dead-battery': // the battery model drains it; readings stay normal until it is silent
      return normal;
  }
}
