import type { AlertKind } from '@careedge/edge';
import type { ReplayAlert } from '@careedge/gateway';
import type { GroundTruth } from '../history/generate.js';
import { INCIDENT_KINDS, type Incident, type IncidentKind } from '../history/types.js';

/**
 * The alerts that detect each incident kind. A fall raises its alert at once, from the event
 * itself; what a rule adds is noticing no motion after it and raising the alert's priority. So a
 * fall-no-motion is detected when its fall alert is raised above the priority it was raised at
 * (or a rule other than the instant one raised one); a fall alert raised at high priority already
 * cannot go higher and has the urgency no motion calls for, so it detects at once.
 */
export const DETECTED_BY: Record<IncidentKind, readonly AlertKind[]> = {
  'fall-no-motion': ['fall'],
  'daytime-inactivity': ['inactivity'],
  'late-rising': ['not-up'],
  'night-wandering': ['night-wandering'],
  'dead-battery': ['battery-low', 'device-offline'],
  'band-off': ['not-worn'],
  tachycardia: ['vital-sign'],
};

/** After a gap a band's device-offline alert may still come this late (3 heartbeats, a will, grace). */
export const GAP_SLACK_MS = 10 * 60_000;

const PRIORITY_RANK = { low: 1, medium: 2, high: 3 } as const;

export type AlertVerdict =
  /** The first alert that detected an incident in time. */
  | { verdict: 'detection'; incidentId: string; delayS: number }
  /** About an incident (its subject, a kind that detects it, while it lasts) but not the first. */
  | { verdict: 'incident'; incidentId: string }
  /** Device offline during a gap in the data (out of range), as expected. */
  | { verdict: 'gap' }
  | { verdict: 'false' };

export interface KindFigures {
  kind: IncidentKind;
  alertKinds: readonly AlertKind[];
  incidents: number;
  detected: number;
  medianDelayS: number | null;
  worstDelayS: number | null;
  /** Alerts of these kinds that match nothing, per resident-week. */
  falsePerResidentWeek: number;
  /** Incidents of this kind not detected in time, by id. */
  missed: string[];
}

export interface Evaluation {
  incidents: number;
  detected: number;
  falseAlerts: number;
  residentWeeks: number;
  falsePerResidentWeek: number;
  /** The longest delay of a detection, seconds (null: nothing detected). */
  worstDelayS: number | null;
  perKind: KindFigures[];
  /** False alerts per rule id, so a noisy rule is named. */
  falseByRule: Record<string, number>;
  /** Every alert with its verdict, in the order given. */
  alerts: { alert: ReplayAlert; verdict: AlertVerdict }[];
}

const about = (a: ReplayAlert, i: Pick<Incident, 'residentId' | 'deviceId'>) =>
  a.subject.kind === 'resident' ? a.subject.id === i.residentId : a.subject.id === i.deviceId;

/**
 * When an alert detects an incident of this kind: its raise, or for a fall the moment a rule
 * escalated it (null: it does not detect this kind at all).
 */
function detectionTime(a: ReplayAlert, kind: IncidentKind): number | null {
  if (!DETECTED_BY[kind].includes(a.alertKind)) return null;
  if (kind !== 'fall-no-motion') return a.at;
  if (a.ruleKind !== 'instant' || a.priority === 'high') return a.at;
  const raised = a.priorityChanges.find((c) => PRIORITY_RANK[c.priority] > PRIORITY_RANK[a.priority]);
  return raised?.at ?? null;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Matches alerts to the ground truth (docs/ground-truth.md): an alert about an incident's resident
 * or device, of a kind that detects it, raised between its `startTs` and `startTs + deadlineS`
 * detects it (the earliest one counts); other alerts of such a kind while the incident lasts are
 * about it too; a device-offline alert during a gap (plus GAP_SLACK_MS) is expected; anything else
 * is a false alert. Pure: the same truth and alerts give the same figures.
 */
export function evaluate(
  truth: Pick<GroundTruth, 'incidents' | 'gaps' | 'startTs' | 'endTs' | 'residents'>,
  alerts: readonly ReplayAlert[],
): Evaluation {
  const verdicts: AlertVerdict[] = alerts.map(() => ({ verdict: 'false' }));
  const delays = new Map<string, number>();
  for (const incident of truth.incidents) {
    const deadline = incident.startTs + incident.deadlineS * 1000;
    let best: { index: number; at: number } | undefined;
    alerts.forEach((a, index) => {
      if (!about(a, incident) || verdicts[index]!.verdict === 'detection') return;
      const at = detectionTime(a, incident.kind);
      if (at !== null && at >= incident.startTs && at <= deadline && (!best || at < best.at))
        best = { index, at };
    });
    if (best) {
      delays.set(incident.id, (best.at - incident.startTs) / 1000);
      verdicts[best.index] = {
        verdict: 'detection',
        incidentId: incident.id,
        delayS: (best.at - incident.startTs) / 1000,
      };
    }
    const lasts = Math.max(incident.endTs, deadline);
    alerts.forEach((a, index) => {
      if (
        verdicts[index]!.verdict === 'false' &&
        about(a, incident) &&
        DETECTED_BY[incident.kind].includes(a.alertKind) &&
        a.at >= incident.startTs &&
        a.at <= lasts
      )
        verdicts[index] = { verdict: 'incident', incidentId: incident.id };
    });
  }
  alerts.forEach((a, index) => {
    if (verdicts[index]!.verdict !== 'false' || a.alertKind !== 'device-offline') return;
    if (truth.gaps.some((g) => about(a, g) && a.at >= g.fromTs && a.at <= g.toTs + GAP_SLACK_MS))
      verdicts[index] = { verdict: 'gap' };
  });

  const residentWeeks = (truth.residents.length * (truth.endTs - truth.startTs)) / (7 * 86_400_000);
  const perWeek = (n: number) => (residentWeeks > 0 ? n / residentWeeks : 0);
  const falseAlerts = alerts.filter((_, i) => verdicts[i]!.verdict === 'false');
  const falseByRule: Record<string, number> = {};
  for (const a of falseAlerts) falseByRule[a.ruleId] = (falseByRule[a.ruleId] ?? 0) + 1;
  const allDelays = [...delays.values()];

  const perKind = INCIDENT_KINDS.map((kind): KindFigures => {
    const ofKind = truth.incidents.filter((i) => i.kind === kind);
    const kindDelays = ofKind.flatMap((i) => (delays.has(i.id) ? [delays.get(i.id)!] : []));
    return {
      kind,
      alertKinds: DETECTED_BY[kind],
      incidents: ofKind.length,
      detected: kindDelays.length,
      medianDelayS: median(kindDelays),
      worstDelayS: kindDelays.length ? Math.max(...kindDelays) : null,
      // An alert kind that detects two incident kinds would count twice: none does.
      falsePerResidentWeek: perWeek(
        falseAlerts.filter((a) => DETECTED_BY[kind].includes(a.alertKind)).length,
      ),
      missed: ofKind.filter((i) => !delays.has(i.id)).map((i) => i.id),
    };
  });

  return {
    incidents: truth.incidents.length,
    detected: delays.size,
    falseAlerts: falseAlerts.length,
    residentWeeks,
    falsePerResidentWeek: perWeek(falseAlerts.length),
    worstDelayS: allDelays.length ? Math.max(...allDelays) : null,
    perKind,
    falseByRule,
    alerts: alerts.map((alert, i) => ({ alert, verdict: verdicts[i]! })),
  };
}
