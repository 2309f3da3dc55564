import type { DispatchReason, HandsetMessage, Withdrawal } from '@careedge/edge';
import { AlertError } from '../alerts/errors.js';
import type { AlertChange, AlertEvents } from '../alerts/events.js';
import type { Alert } from '../alerts/model.js';
import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { GatewayModule } from '../core/module.js';
import { probeStorage } from '../core/storage-probe.js';
import type { IngestEvents } from '../ingest/events.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';
import type { HandsetPresence } from './handset-presence.js';
import { dispatchMessage, withdrawal } from './messages.js';

/** How soon a timer action that failed (e.g. SQLite busy) is tried again. */
const RETRY_MS = 5000;
/** At most one `update` dispatch per alert this often, for repeated presses. */
const UPDATE_EVERY_MS = 5000;

/** Changes after which the alert's deadline may have moved (or gone). */
const RESCHEDULE: ReadonlySet<AlertChange['action']> = new Set([
  'repeated',
  'reprioritised',
  'acknowledged',
  'attended',
  'dispatched',
  'escalated',
  'reminded',
  'handed-over',
  'reassigned',
  'returned',
  'resolved',
  'cancelled',
]);

/** What the dispatcher (and the handset replies beside it) is given by the composition root. */
export interface DispatchDeps {
  config: Pick<GatewayConfig, 'dispatch'>;
  clock: Clock;
  log: Logger;
  bus: EventBus<AlertEvents & Pick<IngestEvents, 'staff:status' | 'staff:reply' | 'staff:reply-refused'>>;
  db: Db;
  health: Health;
  register: SiteRegister;
  mqtt: Pick<MqttLink, 'publish'>;
  alerts: AlertService;
  alertStore: AlertStore;
}

interface Timer {
  handle: unknown;
  /** Gateway clock time it fires at. */
  due: number;
}

/**
 * Sends alerts to the right people and keeps them moving: escalates when nobody accepts in
 * time (or everyone declines, or everyone asked is offline), reminds an owner who has not
 * arrived and takes the alert back after the reminders, reminds an owner to close it with an
 * outcome, and clears it from every handset when it is taken or closed. Deadlines live in
 * SQLite, so after a restart each open alert resumes; one that passed while the gateway was down
 * fires at once. A periodic sweep is the safety net for any timer that was never set.
 */
export class Dispatcher implements GatewayModule {
  readonly name = 'dispatch';
  private readonly timers = new Map<number, Timer>();
  /** When an alert whose escalation could not be written was last sent from memory. */
  private readonly memorySent = new Map<number, number>();
  /** When each open alert's last `update` went out (repeated presses). */
  private readonly lastUpdate = new Map<number, number>();
  private sweeper: unknown;

  constructor(
    private readonly ctx: DispatchDeps,
    private readonly handsets: HandsetPresence,
  ) {}

  start(): void {
    this.ctx.bus.on(this.name, 'alert:changed', (c) => this.onChange(c));
    this.ctx.bus.on(this.name, 'staff:status', ({ staffId, state }) => {
      this.handsets.set(staffId, state);
      if (state === 'online') this.resendTo(staffId);
      else this.skipIfNobodyOnline();
    });
    this.sweep();
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
    for (const t of this.timers.values()) this.ctx.clock.clearTimeout(t.handle);
    this.timers.clear();
    if (this.sweeper !== undefined) this.ctx.clock.clearTimeout(this.sweeper);
    this.sweeper = undefined;
  }

  /**
   * Also asks `staffIds` about the device's newest open alert, beyond those its step asked: an
   * alarm stored late (storage was down) had already gone to them from memory.
   */
  alsoAsk(deviceId: string, staffIds: string[]): void {
    const alert = this.ctx.alerts
      .open()
      .filter((a) => a.deviceId === deviceId)
      .at(-1);
    if (alert?.state !== 'dispatched') return;
    const asked = new Set(this.currentRecipients(alert));
    this.send(
      alert,
      staffIds.filter((s) => !asked.has(s)),
      'escalation',
    );
  }

  /**
   * After a decline: when nobody asked at this step is left who has not declined and is reachable
   * (everyone declined, or the rest reported their handsets offline), move on now instead of
   * waiting for the timeout.
   */
  afterDecline(alertId: number): void {
    const alert = this.ctx.alerts.get(alertId);
    if (alert.state !== 'dispatched') return;
    if (this.currentRecipients(alert).every((s) => this.handsets.isOffline(s))) {
      this.ctx.alerts.dispatch(alert.id, 'escalation');
    }
  }

  /**
   * The safety net, also run at start-up: every open alert with a deadline has a timer, and an
   * alert a crash left undispatched is dispatched. Whatever path forgot to schedule (an error
   * between commit and schedule, a listener that threw), the alert moves within one sweep.
   */
  private sweep(): void {
    try {
      for (const alert of this.ctx.alerts.open()) {
        // Held back in an alert storm: dispatch/storm.ts sends it when the storm is over.
        if (alert.state === 'raised' && alert.heldBack === null && !this.timers.has(alert.id))
          this.schedule({ ...alert, deadlineAt: 0 });
        else if (alert.deadlineAt !== null && !this.timers.has(alert.id)) this.schedule(alert);
      }
    } catch (err) {
      this.ctx.log.error({ err }, 'alert sweep failed; trying again at the next one');
    }
    this.sweeper = this.ctx.clock.setTimeout(
      () => this.sweep(),
      this.ctx.config.dispatch.sweepIntervalS * 1000,
    );
  }

  /**
   * A handset that (re)connects gets every open alert that is waiting for it: messages sent
   * while it was away (Wi-Fi drop, gateway restart) would otherwise be lost with its session.
   */
  private resendTo(staffId: string): void {
    for (const alert of this.ctx.alerts.open()) {
      if (this.stillAsked(alert).includes(staffId)) this.send(alert, [staffId], 'resend');
      else if (alert.handoverTo === staffId) this.send(alert, [staffId], 'handover');
    }
  }

  /** A handset went offline: an alert now waiting only for offline handsets moves on at once. */
  private skipIfNobodyOnline(): void {
    for (const alert of this.ctx.alerts.open()) {
      if (alert.state !== 'dispatched') continue;
      const waiting = this.currentRecipients(alert);
      if (waiting.length > 0 && waiting.every((s) => this.handsets.isOffline(s))) {
        this.ctx.log.warn({ alertId: alert.id, waiting }, 'everyone asked is offline: escalating now');
        this.guard(alert.id, () => this.ctx.alerts.dispatch(alert.id, 'escalation'));
      }
    }
  }

  private onChange({ alert, action, detail }: AlertChange): void {
    // The deadline first: whatever fails in sending below, the alert still moves on in time.
    if (RESCHEDULE.has(action)) this.schedule(alert);
    switch (action) {
      case 'reprioritised':
        this.lastUpdate.set(alert.id, this.ctx.clock.now());
        this.send(alert, this.stillAsked(alert), 'update');
        break;
      case 'repeated': {
        // A stuck button or a firmware retry loop must not flood the carer's handset: one update
        // per alert every few seconds (the count is in each), except one that raises the priority.
        const now = this.ctx.clock.now();
        const last = this.lastUpdate.get(alert.id);
        if (last !== undefined && now - last < UPDATE_EVERY_MS && detail.upgradedTo === undefined) break;
        this.lastUpdate.set(alert.id, now);
        this.send(alert, this.stillAsked(alert), 'update');
        break;
      }
      case 'acknowledged':
        this.withdraw(
          alert,
          this.everyoneAsked(alert).filter((s) => s !== alert.ownerId),
          'taken',
          alert.ownerId!,
        );
        break;
      case 'resolved':
      case 'cancelled':
        this.lastUpdate.delete(alert.id);
        this.withdraw(alert, this.everyoneAsked(alert), action === 'resolved' ? 'resolved' : 'cancelled');
        break;
      case 'handover-offered':
        if (typeof detail.replaces === 'string')
          this.withdraw(alert, [detail.replaces], 'handover-withdrawn');
        this.send(alert, [String(detail.to)], 'handover');
        break;
      case 'handed-over':
        this.withdraw(alert, [String(detail.from)], 'handed-over', alert.ownerId!);
        break;
      case 'reassigned': {
        const owner = alert.ownerId!;
        if (typeof detail.offeredTo === 'string' && detail.offeredTo !== owner)
          this.withdraw(alert, [detail.offeredTo], 'handover-withdrawn');
        this.withdraw(
          alert,
          this.everyoneAsked(alert).filter((s) => s !== owner && s !== detail.offeredTo),
          'reassigned',
          owner,
        );
        this.send(alert, [owner], 'reassigned');
        break;
      }
      case 'returned':
        this.withdraw(alert, [String(detail.from)], 'returned');
        // A handover offered to someone and not yet taken is gone with the owner's claim.
        if (typeof detail.offeredTo === 'string')
          this.withdraw(alert, [detail.offeredTo], 'handover-withdrawn');
        break;
      case 'dispatched':
      case 'escalated': {
        const to = detail.to as string[];
        if (to.length === 0) {
          this.ctx.log.error(
            { alertId: alert.id, zone: alert.zoneId },
            'nobody is registered to receive this alert',
          );
        }
        this.send(alert, to, action === 'dispatched' ? 'new' : 'escalation');
        break;
      }
      case 'reminded':
        this.send(alert, detail.to as string[], 'reminder');
        break;
      case 'handover-declined':
        // The owner offered it because she cannot go: she must know at once that it is still hers.
        if (alert.ownerId) this.send(alert, [alert.ownerId], 'handover-declined');
        break;
      case 'raised':
      case 'attended':
      case 'cancel-requested':
      case 'received':
      case 'declined':
      case 'retransmitted':
      case 'noted':
      case 'condition-cleared':
        break;
    }
  }

  /** The alert's timer fired: escalate, remind, or take it back, by state. */
  private fire(alertId: number): void {
    this.timers.delete(alertId);
    const alert = this.ctx.alerts.get(alertId);
    const { alerts } = this.ctx;
    switch (alert.state) {
      case 'raised':
        alerts.dispatch(alert.id, 'new');
        break;
      case 'dispatched':
        alerts.dispatch(alert.id, 'escalation');
        break;
      case 'acknowledged':
        if (alert.reminders >= this.ctx.config.dispatch.remindersBeforeReturn) {
          this.ctx.log.warn(
            { alertId, owner: alert.ownerId },
            'owner did not arrive: the alert escalates again',
          );
          alerts.reclaim(alert.id);
        } else this.remind(alert, this.ctx.config.dispatch.attendTimeoutS);
        break;
      case 'attended':
        this.remind(alert, this.ctx.config.dispatch.resolveTimeoutS);
        break;
      case 'resolved':
      case 'cancelled':
        break;
    }
  }

  private remind(alert: Alert, againInS: number): void {
    const now = this.ctx.clock.now();
    const supervisors = this.ctx.register.supervisorsOnShift(now).map((s) => s.id);
    this.ctx.alerts.reminded(alert.id, [...new Set([alert.ownerId!, ...supervisors])], now + againInS * 1000);
  }

  /**
   * Sets the alert's timer from its deadline. A wait is never longer than the alert's own timeout:
   * a clock that came back wrong (a Pi without a real-time clock) must not delay an escalation.
   */
  private schedule(alert: Alert): void {
    this.unschedule(alert.id);
    if (alert.deadlineAt === null) return;
    const now = this.ctx.clock.now();
    const delay = Math.min(alert.deadlineAt - now, this.longestWait(alert));
    if (delay <= 0) {
      // Overdue (the gateway was down when it fell due): act now, not after another timeout.
      const timer: Timer = { handle: undefined, due: now };
      this.timers.set(alert.id, timer);
      queueMicrotask(() => {
        if (this.timers.get(alert.id) === timer) this.guard(alert.id, () => this.fire(alert.id));
      });
      return;
    }
    const handle = this.ctx.clock.setTimeout(() => this.guard(alert.id, () => this.fire(alert.id)), delay);
    this.timers.set(alert.id, { handle, due: now + delay });
  }

  /** Runs a timer action; on failure (e.g. SQLite busy) tries again soon rather than never. */
  private guard(alertId: number, action: () => void): void {
    try {
      action();
    } catch (err) {
      if (err instanceof AlertError && err.code === 'alert-not-found') return; // archived or gone
      this.ctx.log.error({ err, alertId }, 'escalation failed; trying again in 5 s');
      if (!(err instanceof AlertError)) this.storageTrouble(alertId);
      this.unschedule(alertId);
      const handle = this.ctx.clock.setTimeout(() => this.guard(alertId, () => this.fire(alertId)), RETRY_MS);
      this.timers.set(alertId, { handle, due: this.ctx.clock.now() + RETRY_MS });
    }
  }

  /**
   * An escalation, reminder or take-back could not be written: the alert must not stop moving
   * because the card did. If storage is what failed, say so (health), and send the alert from
   * memory to everyone on shift, under its real number, once per high-priority timeout until a
   * write works again — as new alarms are in that state (ingest/unrecorded.ts).
   */
  private storageTrouble(alertId: number): void {
    try {
      const reason = probeStorage(this.ctx.db);
      if (!reason) return;
      this.ctx.health.set('storage', reason);
      const alert = this.ctx.alerts.get(alertId); // reading still works
      const now = this.ctx.clock.now();
      const last = this.memorySent.get(alertId);
      if (last !== undefined && now - last < this.ctx.config.dispatch.ackTimeoutS.high * 1000) return;
      this.memorySent.set(alertId, now);
      this.send(
        alert,
        this.ctx.register.everyoneOnCall(now).map((s) => s.id),
        'escalation',
      );
    } catch (err) {
      this.ctx.log.error({ err, alertId }, 'could not send an alert from memory');
    }
  }

  private longestWait(alert: Alert): number {
    const d = this.ctx.config.dispatch;
    if (alert.state === 'acknowledged') return d.attendTimeoutS * 1000;
    if (alert.state === 'attended') return d.resolveTimeoutS * 1000;
    return d.ackTimeoutS[alert.priority] * 1000;
  }

  private unschedule(alertId: number): void {
    const t = this.timers.get(alertId);
    if (t?.handle !== undefined) this.ctx.clock.clearTimeout(t.handle);
    this.timers.delete(alertId);
  }

  private everyoneAsked(alert: Alert): string[] {
    const ids = this.ctx.alertStore.targets(alert.id).map((t) => t.staffId);
    return [...new Set(alert.ownerId ? [...ids, alert.ownerId] : ids)];
  }

  /**
   * Whose screen the alert is on: its owner once taken; before that everyone asked at any step who
   * has not declined. An escalation adds people; it does not take the alert from those asked first.
   */
  private stillAsked(alert: Alert): string[] {
    return [...new Set(this.waiting(alert, (level) => level >= 0))];
  }

  /** Who the current step waits for: its owner once taken, else those asked at this level. */
  private currentRecipients(alert: Alert): string[] {
    return this.waiting(alert, (level) => level === alert.level);
  }

  private waiting(alert: Alert, atLevel: (level: number) => boolean): string[] {
    if (alert.ownerId) return [alert.ownerId];
    return this.ctx.alertStore
      .targets(alert.id)
      .filter((t) => atLevel(t.level) && t.declinedAt === null)
      .map((t) => t.staffId);
  }

  /** One message per recipient; a failure for one never keeps it from the others. */
  private send(alert: Alert, staffIds: string[], reason: DispatchReason): void {
    const message = dispatchMessage(alert, reason, this.ctx.register, this.ctx.clock.now());
    for (const id of staffIds) this.publish(id, message);
  }

  private withdraw(
    alert: Alert,
    staffIds: string[],
    reason: Exclude<Withdrawal['reason'], 'recorded'>,
    by?: string,
  ) {
    const message = withdrawal(alert, reason, this.ctx.clock.now(), by);
    for (const id of staffIds) this.publish(id, message);
  }

  private publish(staffId: string, message: HandsetMessage): void {
    try {
      this.ctx.mqtt.publish('staffDispatch', staffId, message);
    } catch (err) {
      this.ctx.log.error({ err, staffId }, 'could not send to a handset; the others still get it');
    }
  }
}
