import type { UplinkAlertChange, UplinkKpiSummary } from '@careedge/edge';
import type { AlertChange } from '../alerts/events.js';
import type { Pseudonyms } from '../core/pseudonym.js';

type Unsequenced<T> = Omit<T, 'seq'>;

const seconds = (from: number, to: number | null) => (to === null ? null : Math.max(0, to - from) / 1000);

/**
 * An alert change as the head office sees it: every person and the alert itself as a key, no
 * room, no note. The id is made of the alert's key and the audit entry that recorded the change,
 * so a change sent again after a reconnect or a restart carries the same id.
 */
export function alertChangeMessage(
  site: string,
  keys: Pseudonyms,
  at: number,
  { alert: a, action, previousState, auditId }: AlertChange,
): Unsequenced<UplinkAlertChange> {
  const alert = keys.key('alert', String(a.id));
  // Without an audit entry (an announcement made elsewhere) the time keeps changes apart.
  const change = auditId ?? 0;
  return {
    id: `${site}/alert/${alert}/${auditId ?? `t${at}`}`,
    site,
    at,
    alert,
    change,
    action,
    state: a.state,
    previousState,
    kind: a.kind,
    priority: a.priority,
    zone: a.zoneId,
    level: a.level,
    count: a.count,
    resident: a.residentId === null ? null : keys.key('resident', a.residentId),
    owner: a.ownerId === null ? null : keys.key('staff', a.ownerId),
    raisedAt: a.raisedAt,
    acceptS: seconds(a.raisedAt, a.acknowledgedAt),
    arriveS: seconds(a.raisedAt, a.attendedAt),
    resolveS: seconds(a.raisedAt, a.closedAt),
    outcome: a.outcome,
    ...(a.ruleId === null ? {} : { ruleId: a.ruleId }),
    ...(a.rulesVersion === null ? {} : { rulesVersion: a.rulesVersion }),
  };
}

type Durations = UplinkKpiSummary['acceptS'];
const noDurations = (): Durations => ({ count: 0, sumS: 0, maxS: null });
const add = (d: Durations, s: number | null) => {
  if (s === null) return;
  d.count++;
  d.sumS += s;
  d.maxS = Math.max(d.maxS ?? 0, s);
};

/** Counts of one period, from the alert changes seen in it; `take` closes the period. */
export class KpiPeriod {
  private counts = KpiPeriod.empty();

  private static empty() {
    return {
      raised: { high: 0, medium: 0, low: 0 },
      acknowledged: 0,
      attended: 0,
      resolved: 0,
      cancelled: 0,
      escalated: 0,
      acceptS: noDurations(),
      resolveS: noDurations(),
    };
  }

  see({ alert: a, action }: AlertChange): void {
    const c = this.counts;
    switch (action) {
      case 'raised':
        c.raised[a.priority]++;
        break;
      case 'acknowledged':
        c.acknowledged++;
        add(c.acceptS, seconds(a.raisedAt, a.acknowledgedAt));
        break;
      case 'attended':
        c.attended++;
        break;
      case 'resolved':
        c.resolved++;
        add(c.resolveS, seconds(a.raisedAt, a.closedAt));
        break;
      case 'cancelled':
        c.cancelled++;
        break;
      case 'escalated':
        c.escalated++;
        break;
      default:
        break;
    }
  }

  /**
   * `repeat`: the wall clock stepped back over periods already summarised, the how-manyth time
   * (0: never); a summary of such a period gets its own id, or the head office would drop it as
   * a resend.
   */
  take(site: string, from: number, to: number, open: number, repeat = 0): Unsequenced<UplinkKpiSummary> {
    const c = this.counts;
    this.counts = KpiPeriod.empty();
    const id = repeat > 0 ? `${site}/kpi/${from}/${repeat}` : `${site}/kpi/${from}`;
    return { id, site, at: to, from, to, ...c, open };
  }
}
