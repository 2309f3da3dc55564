import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { AlertError } from './errors.js';
import type { AlertAction, AlertChange, AlertEvents } from './events.js';
import type { AlertMetrics } from './metrics.js';
import { type Actor, type Alert, actorName } from './model.js';
import { type Command, transition } from './state-machine.js';
import type { AlertStore } from './store.js';

/**
 * How every alert change is made: checked against the state machine, written with its audit row
 * in one SQLite transaction, and announced on the bus (and counted) only after the commit, so
 * nobody is ever told about a change that a power cut could lose. The lifecycle rules (who may
 * do what) are in service.ts.
 */
export class AlertLedger {
  /** The way staff commands are coming in while `via()` runs (the console), for their audit rows. */
  private way: string | undefined;

  constructor(
    private readonly store: AlertStore,
    private readonly bus: EventBus<AlertEvents>,
    private readonly clock: Clock,
    private readonly metrics: AlertMetrics,
  ) {}

  get(id: number): Alert {
    const alert = this.store.get(id);
    if (!alert) throw new AlertError('alert-not-found', `alert ${id} does not exist`);
    return alert;
  }

  /**
   * Runs `fn` (synchronous, so nothing else runs meanwhile) with every staff change it audits
   * marked `via: way` in its detail: the trail says an alert was accepted from the console, not
   * the handset. Without a way the rows are as they always were (handset replies).
   */
  via<T>(way: string | undefined, fn: () => T): T {
    const before = this.way;
    this.way = way;
    try {
      return fn();
    } finally {
      this.way = before;
    }
  }

  private marked(actor: Actor, detail: Record<string, unknown>): Record<string, unknown> {
    return this.way && actor.kind === 'staff' ? { ...detail, via: this.way } : detail;
  }

  /** One change in its own transaction, then announced. */
  change(
    id: number,
    command: Command,
    actor: Actor,
    action: AlertAction,
    mutate: (a: Alert) => Partial<Omit<Alert, 'id'>>,
    detail: Record<string, unknown> = {},
  ): Alert {
    return this.finish(this.store.transaction(() => this.apply(id, command, actor, action, mutate, detail)));
  }

  /** The change inside the caller's transaction; announce it with finish() after the commit. */
  apply(
    id: number,
    command: Command,
    actor: Actor,
    action: AlertAction,
    mutate: (a: Alert) => Partial<Omit<Alert, 'id'>>,
    given: Record<string, unknown>,
  ): AlertChange {
    const detail = this.marked(actor, given);
    const now = this.clock.now();
    const current = this.get(id);
    const next = transition(current.state, command);
    if (!next.ok) throw new AlertError('illegal-transition', `alert ${id}: ${next.reason}`);
    this.store.update(id, { ...mutate(current), state: next.to, updatedAt: now });
    const auditId = this.store.appendAudit({
      alertId: id,
      at: now,
      actor: actorName(actor),
      action,
      fromState: current.state,
      toState: next.to,
      detail,
    });
    return { alert: this.store.get(id)!, previousState: current.state, action, actor, detail, auditId };
  }

  /** An audit entry that changes no state (plus `write`, in the same commit), then announced. */
  note(
    alert: Alert,
    action: AlertAction,
    actor: Actor,
    write: () => void = () => {},
    given: Record<string, unknown> = {},
  ): void {
    const detail = this.marked(actor, given);
    const auditId = this.store.transaction(() => {
      write();
      return this.store.appendAudit({
        alertId: alert.id,
        at: this.clock.now(),
        actor: actorName(actor),
        action,
        fromState: alert.state,
        toState: alert.state,
        detail,
      });
    });
    this.bus.emit('alert:changed', { alert, previousState: alert.state, action, actor, detail, auditId });
  }

  /** Counts and announces a committed change. */
  finish(change: AlertChange): Alert {
    this.metrics.alertActions.inc({ action: change.action });
    if (change.alert.state === 'resolved' || change.alert.state === 'cancelled')
      this.metrics.openAlerts.dec();
    this.bus.emit('alert:changed', change);
    return change.alert;
  }
}
