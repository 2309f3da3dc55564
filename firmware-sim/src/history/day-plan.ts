import type { ResidentProfile } from './profiles.js';

/** A stretch of a local day, minutes after local midnight, with its extra activity. */
interface Bout {
  fromMin: number;
  toMin: number;
  activity: number;
}

/**
 * One resident-day as planned before it is played: the day-to-day noise around the profile
 * (getting up ± 30 min, meals, walks, an after-lunch rest, brief night-time toilet visits) and
 * whether the band drops off the network for an hour.
 */
export interface DayPlan {
  wakeMin: number;
  bedMin: number;
  /** Meals and walks add activity; rests take it down to a few points. */
  peaks: Bout[];
  rests: Bout[];
  /** Getting up at night, a few minutes each: short, so no rule should take it for wandering. */
  nightVisits: Bout[];
  /** Local minute of an hour with no messages (out of Wi-Fi range), if any. */
  missingHourMin?: number;
}

/** Sum of three uniforms: a bell-shaped noise in ±spread, never beyond it. */
const bell = (random: () => number, spread: number) => ((random() + random() + random()) / 1.5 - 1) * spread;
const at = (random: () => number, fromMin: number, toMin: number) =>
  Math.round(fromMin + (toMin - fromMin) * random());

export function planDay(profile: ResidentProfile, random: () => number, missingHourChance: number): DayPlan {
  const wakeMin = Math.round(profile.wakeMin + bell(random, 30));
  const bedMin = Math.round(profile.bedMin + bell(random, 20));
  const bout = (fromMin: number, lengthMin: number, activity: number): Bout => ({
    fromMin,
    toMin: fromMin + lengthMin,
    activity,
  });
  const peaks = [
    bout(wakeMin + at(random, 25, 50), 30, 14),
    bout(at(random, 720, 750), 35, 12),
    bout(at(random, 1050, 1080), 35, 12),
  ];
  if (profile.walks) peaks.push(bout(at(random, 585, 615), 40, 22), bout(at(random, 885, 915), 30, 18));
  const rests = [bout(at(random, 790, 840), at(random, 15, 25), 0)];
  if (random() < 0.5) rests.push(bout(at(random, 960, 1010), at(random, 10, 20), 0));
  const nightVisits: Bout[] = [];
  for (let i = Math.floor(random() * 3); i > 0; i--) {
    const fromMin = random() < 0.5 ? at(random, 60, wakeMin - 60) : at(random, bedMin + 60, 1430);
    nightVisits.push(bout(fromMin, at(random, 3, 5), 10 + random() * 10));
  }
  const plan: DayPlan = { wakeMin, bedMin, peaks, rests, nightVisits };
  if (random() < missingHourChance) plan.missingHourMin = at(random, 0, 1380);
  return plan;
}

const inside = (bouts: Bout[], minute: number) => bouts.find((b) => minute >= b.fromMin && minute < b.toMin);

/**
 * The activity the plan asks for at a local minute, before sample noise: a few points asleep,
 * a ramp after getting up, the resident's own level through the day plus meals and walks.
 */
export function plannedActivity(
  plan: DayPlan,
  profile: ResidentProfile,
  minute: number,
): { activity: number; asleep: boolean } {
  if (minute < plan.wakeMin || minute >= plan.bedMin) {
    const visit = inside(plan.nightVisits, minute);
    return { activity: visit ? visit.activity : 1.5, asleep: !visit };
  }
  if (inside(plan.rests, minute)) return { activity: 4, asleep: false };
  const sinceWake = minute - plan.wakeMin;
  const ramp = sinceWake < 20 ? 0.5 + sinceWake / 40 : 1;
  const peak = inside(plan.peaks, minute)?.activity ?? 0;
  return { activity: profile.dayActivity * ramp + peak, asleep: false };
}
