import type { AlertKind, Dispatch, Outcome, Withdrawal } from '@careedge/edge';

export interface AlertRecord {
  id: number;
  kind: AlertKind;
  priority: Dispatch['priority'];
  room?: string;
  residentName?: string;
  /** Highest escalation level it was dispatched at. */
  maxLevel: number;
  escalations: number;
  declines: number;
  owner?: string;
  closed?: 'resolved' | 'cancelled';
  outcome?: Outcome;
}

/** A step that should raise (or join) an alert, and what a matching dispatch looks like. */
interface Expectation {
  label: string;
  kinds: AlertKind[];
  room: string | undefined;
  residentId: string | undefined;
  alertId?: number;
}

const RAISES: Partial<Record<string, AlertKind[]>> = {
  sos: ['sos'],
  fall: ['fall'],
  call: ['call', 'emergency-call'],
};

export interface AlertSummary {
  alertsRaised: number;
  escalations: number;
  declines: number;
  resolved: number;
  cancelled: number;
  /** Alerts seen but not closed when the run ended. */
  open: number[];
  /** Steps that should have raised an alert but no handset was ever told about one. */
  unanswered: string[];
  allClosed: boolean;
}

/**
 * What the scenario saw of the alerts, from the handsets' and devices' side: which alarm steps
 * reached a handset, which alerts escalated, and whether each one was closed. The gateway's own
 * bookkeeping is not consulted on purpose — this is the residents' and staff's view of the truth.
 */
export class AlertBook {
  readonly alerts = new Map<number, AlertRecord>();
  private readonly expectations: Expectation[] = [];
  private readonly escalatedLevels = new Set<string>();

  /** Records that `label` (e.g. "wb-101 sos") should reach a handset; ignores non-alarm actions. */
  expect(
    label: string,
    action: string,
    where: { room?: string; residentId?: string },
    raises?: AlertKind,
  ): void {
    const kinds = raises ? [raises] : RAISES[action];
    if (kinds) this.expectations.push({ label, kinds, room: where.room, residentId: where.residentId });
  }

  /** Returns the record, and whether this is the first time any handset saw this alert. */
  onDispatch(d: Dispatch): { record: AlertRecord; first: boolean } {
    let record = this.alerts.get(d.alertId);
    const first = !record;
    if (!record) {
      record = {
        id: d.alertId,
        kind: d.kind,
        priority: d.priority,
        maxLevel: d.level,
        escalations: 0,
        declines: 0,
        ...((d.room ?? d.homeRoom) ? { room: (d.room ?? d.homeRoom)! } : {}),
        ...(d.residentName ? { residentName: d.residentName } : {}),
      };
      this.alerts.set(d.alertId, record);
    }
    record.kind = d.kind;
    record.maxLevel = Math.max(record.maxLevel, d.level);
    if (d.ownerId) record.owner = d.ownerId;
    const levelKey = `${d.alertId}/${d.level}`;
    if (d.reason === 'escalation' && !this.escalatedLevels.has(levelKey)) {
      this.escalatedLevels.add(levelKey);
      record.escalations++;
    }
    if (d.reason === 'new' || d.reason === 'update') this.match(d);
    return { record, first };
  }

  private match(d: Dispatch): void {
    const waiting = this.expectations.find(
      (e) =>
        e.alertId === undefined &&
        e.kinds.includes(d.kind) &&
        (e.room === undefined || e.room === (d.room ?? d.homeRoom)) &&
        (e.residentId === undefined || e.residentId === d.residentId),
    );
    if (waiting) waiting.alertId = d.alertId;
  }

  onAcknowledged(alertId: number, staffId: string): void {
    const r = this.alerts.get(alertId);
    if (r) r.owner = staffId;
  }

  onDeclined(alertId: number): void {
    const r = this.alerts.get(alertId);
    if (r) r.declines++;
  }

  onResolved(alertId: number, outcome: Outcome): void {
    const r = this.alerts.get(alertId);
    if (!r) return;
    r.closed = 'resolved';
    r.outcome = outcome;
  }

  onWithdrawn(w: Withdrawal): void {
    const r = this.alerts.get(w.alertId);
    if (!r || r.closed) return;
    if (w.reason === 'resolved') r.closed = 'resolved';
    if (w.reason === 'cancelled') r.closed = 'cancelled';
  }

  /** Every alarm step reached a handset and every alert seen is closed. */
  get settled(): boolean {
    return (
      this.expectations.every((e) => e.alertId !== undefined) &&
      [...this.alerts.values()].every((a) => a.closed)
    );
  }

  summary(): AlertSummary {
    const all = [...this.alerts.values()];
    const open = all.filter((a) => !a.closed).map((a) => a.id);
    const unanswered = this.expectations.filter((e) => e.alertId === undefined).map((e) => e.label);
    return {
      alertsRaised: all.length,
      escalations: all.reduce((n, a) => n + a.escalations, 0),
      declines: all.reduce((n, a) => n + a.declines, 0),
      resolved: all.filter((a) => a.closed === 'resolved').length,
      cancelled: all.filter((a) => a.closed === 'cancelled').length,
      open,
      unanswered,
      allClosed: open.length === 0 && unanswered.length === 0,
    };
  }
}
