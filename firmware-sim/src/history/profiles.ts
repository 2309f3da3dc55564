/**
 * Who each simulated resident is: the individual differences the anomaly rules must learn
 * (when they get up, how active they are, their resting pulse), drawn once per resident.
 */
export interface ResidentProfile {
  residentId: string;
  deviceId: string;
  /** Usual getting-up time, local minutes after midnight (late risers up to 09:00). */
  wakeMin: number;
  /** Usual bedtime, local minutes after midnight. */
  bedMin: number;
  /** Typical awake activity (0–100 scale of the band), 18–36. */
  dayActivity: number;
  restingHeartRate: number;
  /** Nightly charge: start, local minutes (the band is off the wrist for `chargeMin`). */
  chargeStartMin: number;
  chargeMin: number;
  /** Battery used per hour, percent (a day costs 25–45 %). */
  drainPctPerHour: number;
  /** Flagged by the care team as at risk of wandering at night (not a site-file field). */
  nightWanderingRisk: boolean;
  /** A morning walk at 10:00 and an afternoon one at 15:00, or not. */
  walks: boolean;
}

const between = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();

export function makeProfile(
  ids: { residentId: string; deviceId: string },
  random: () => number,
  nightWanderingRisk: boolean,
): ResidentProfile {
  const lateRiser = random() < 0.25;
  const wakeMin = Math.round(
    lateRiser ? between(random, 8 * 60, 9 * 60) : between(random, 6 * 60, 7.75 * 60),
  );
  const bedMin = Math.round(between(random, 20.75 * 60, 22.5 * 60));
  return {
    ...ids,
    wakeMin,
    bedMin,
    dayActivity: between(random, 18, 36),
    restingHeartRate: 58 + Math.round(random() * 20),
    // Charged in the evening, done before bed (the carers' round).
    chargeStartMin: bedMin - 75 + Math.round(random() * 20),
    chargeMin: 30 + Math.round(random() * 15),
    drainPctPerHour: between(random, 1.05, 1.85),
    nightWanderingRisk,
    walks: random() < 0.5,
  };
}
