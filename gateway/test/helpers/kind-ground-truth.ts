import {
  type GroundTruth,
  generateHistory,
  type History,
  type Incident,
  type IncidentKind,
} from '@careedge/firmware-sim';
import type { RuleInput, RuleKind } from '../../src/rules/kind.js';
import { type DrivenAction, KindDriver, localTimeIn } from './rule-kind-driver.js';

/**
 * A per-kind sanity check against the ground truth (docs/ground-truth.md): one rule kind driven
 * directly over a small simulated history, one instance per subject, ticks at its deadlines.
 * Not the evaluation harness (that replays through the engine, part 4 of issue 8); a stand-in
 * that part may replace.
 */

/** 8 residents × 10 days with three incidents of each kind: small enough for a unit test. */
export function smallHistory(): History {
  return generateHistory({
    residents: 8,
    days: 10,
    seed: 3,
    startDate: '2026-11-02',
    timezone: 'Europe/London',
    incidentsPerKind: 3,
  });
}

export interface SubjectActions {
  subject: string;
  actions: DrivenAction[];
}

export interface KindRunOptions<P, S> {
  /** Called before each input reaches the subject's driver: e.g. the instant rule opening a fall alert. */
  beforeStep?: (driver: KindDriver<P, S>, input: RuleInput) => void;
}

/** Runs `kind` over every message of the history, one driver per subject (resident or device). */
export function runKindOverHistory<P, S>(
  history: History,
  kind: RuleKind<P, S>,
  params: P,
  options: KindRunOptions<P, S> = {},
): SubjectActions[] {
  const { truth } = history;
  const residentOf = new Map(truth.residents.map((r) => [r.deviceId, r.residentId]));
  const local = localTimeIn(truth.timezone);
  const drivers = new Map<string, KindDriver<P, S>>();
  const driverFor = (subject: string) => {
    const known = drivers.get(subject);
    if (known) return known;
    const d = new KindDriver(kind, params, truth.startTs, local);
    drivers.set(subject, d);
    return d;
  };
  for (const m of history.messages()) {
    // Every instance's deadlines up to now fire first, as the engine's timer would.
    for (const d of drivers.values()) d.runTicksBefore(m.ts);
    const input = inputOf(m.channel, m.ts, m.payload);
    if (!input || !(kind.inputs as readonly string[]).includes(input.type)) continue;
    const subject = kind.subject === 'device' ? m.deviceId : residentOf.get(m.deviceId);
    if (subject === undefined) throw new Error(`no resident wears ${m.deviceId}`);
    const d = driverFor(subject);
    options.beforeStep?.(d, input);
    d.step(input);
  }
  for (const d of drivers.values()) d.runTicksBefore(truth.endTs);
  return [...drivers].map(([subject, d]) => ({ subject, actions: d.log }));
}

function inputOf(channel: string, at: number, payload: unknown): RuleInput | null {
  switch (channel) {
    case 'deviceTelemetry':
      return { type: 'telemetry', at, message: payload } as RuleInput;
    case 'deviceEvent':
      return { type: 'event', at, message: payload } as RuleInput;
    case 'deviceHeartbeat':
      return { type: 'heartbeat', at, message: payload } as RuleInput;
    case 'deviceStatus':
      return { type: 'status', at, message: payload } as RuleInput;
    default:
      return null;
  }
}

export interface Verdict {
  incidents: Incident[];
  /** Incidents with no matching action between `startTs` and `startTs + deadlineS`. */
  missed: Incident[];
  /** Seconds from each detected incident's start to its first matching action. */
  delaysS: number[];
  /** Alerts opened outside any incident of the kind (repeats of an open alert do not count). */
  falseAlerts: DrivenAction[];
  residentWeeks: number;
}

/**
 * Matches a kind's actions to the incidents of one kind, as the evaluation will: same subject, an
 * action that `detects` between the start and the deadline. An alert opened while an incident of
 * that kind is under way (or before its deadline) is not false.
 */
export function judge(
  truth: GroundTruth,
  kind: IncidentKind,
  runs: SubjectActions[],
  subjectOf: (incident: Incident) => string,
  detects: (a: DrivenAction) => boolean,
): Verdict {
  const incidents = truth.incidents.filter((i) => i.kind === kind);
  const bySubject = new Map(runs.map((r) => [r.subject, r.actions]));
  const missed: Incident[] = [];
  const delaysS: number[] = [];
  for (const incident of incidents) {
    const deadline = incident.startTs + incident.deadlineS * 1000;
    const hit = (bySubject.get(subjectOf(incident)) ?? []).find(
      (a) => detects(a) && a.at >= incident.startTs && a.at <= deadline,
    );
    if (hit) delaysS.push((hit.at - incident.startTs) / 1000);
    else missed.push(incident);
  }
  const falseAlerts = runs.flatMap((r) =>
    r.actions.filter(
      (a) =>
        a.opened &&
        !incidents.some(
          (i) =>
            subjectOf(i) === r.subject &&
            a.at >= i.startTs &&
            a.at <= Math.max(i.endTs, i.startTs + i.deadlineS * 1000),
        ),
    ),
  );
  const residentWeeks = (truth.residents.length * (truth.endTs - truth.startTs)) / (7 * 86_400_000);
  return { incidents, missed, delaysS, falseAlerts, residentWeeks };
}
