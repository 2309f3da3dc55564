import { Gauge } from 'prom-client';
import type { Actor } from '../alerts/model.js';
import type { AlertService, Trigger } from '../alerts/service.js';
import { isOpen } from '../alerts/state-machine.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import type { FromDevice, IngestEvents } from '../ingest/events.js';
import type { SiteRegister } from '../register/register.js';
import { type HeartbeatMissedParams, offlineAt } from './kinds/heartbeat-missed.js';
import type { RulesSource } from './source.js';
import { SupervisionStore } from './supervision-store.js';

export { offlineAt };

/** How soon raising a device-offline alert that failed (e.g. SQLite busy) is tried again. */
const RETRY_MS = 5000;

interface Watch {
  intervalS: number;
  lastHeardAt: number;
  /** The one timer of this device and when it fires; re-armed lazily (see `heard`). */
  timer: unknown;
  timerAt: number;
  offline: { at: number; alertId: number | null } | undefined;
}

/**
 * Heartbeat supervision (EN 50134, BS 8521: periodic supervision; a missed check-in is an alarm
 * of its own). A device that declared `intervalS` in a heartbeat and is then silent for
 * `missedHeartbeats` intervals plus a grace raises a `device-offline` alert through the normal
 * dispatch and escalation; hearing it again closes that alert. A device never heard from is not
 * supervised: the register lists bands still in their box, and an alarm for each would teach
 * staff to ignore this one.
 *
 * The MQTT last will (`status: offline`) is not an alarm by itself: a Wi-Fi roam drops the
 * connection for seconds. Only the heartbeat deadline decides.
 */
export class HeartbeatSupervision implements GatewayModule {
  readonly name = 'supervision';
  readonly optional = true;
  private readonly store: SupervisionStore;
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly ctx: {
      bus: EventBus<
        Pick<IngestEvents, 'device:heartbeat' | 'device:telemetry' | 'device:event' | 'device:status'>
      >;
      alerts: AlertService;
      register: SiteRegister;
      clock: Clock;
      log: Logger;
      db: Db;
      metrics: Pick<Metrics, 'registry'>;
      /** The rules file's `heartbeat-missed` rule: its params, id and version. */
      rules: Pick<RulesSource, 'only' | 'current'>;
    },
  ) {
    this.store = new SupervisionStore(ctx.db);
    const watches = this.watches;
    const registers = [ctx.metrics.registry];
    new Gauge({
      registers,
      name: 'careedge_devices_supervised',
      help: 'Devices under heartbeat supervision (they declared a heartbeat interval).',
      collect() {
        this.set(watches.size);
      },
    });
    new Gauge({
      registers,
      name: 'careedge_devices_offline',
      help: 'Supervised devices currently offline: silent for the configured number of heartbeat intervals.',
      collect() {
        this.set([...watches.values()].filter((w) => w.offline).length);
      },
    });
  }

  /** Read at each use, so a reloaded rules file applies from the next message. */
  private get policy(): HeartbeatMissedParams {
    return this.ctx.rules.only('heartbeat-missed').params as HeartbeatMissedParams;
  }

  start(): void {
    const { bus, clock, register, log } = this.ctx;
    // After a restart every device is supervised from now: the gateway heard nothing while down,
    // so it cannot say who went silent then. A device already offline stays so (its alert is open,
    // or a carer closed it) until it is heard again.
    const now = clock.now();
    for (const row of this.store.all()) {
      if (!register.device(row.deviceId)) {
        this.store.forget(row.deviceId); // removed from the site file
        continue;
      }
      const offline = row.offlineAt === null ? undefined : { at: row.offlineAt, alertId: row.offlineAlertId };
      const w: Watch = { intervalS: row.intervalS, lastHeardAt: now, timer: undefined, timerAt: 0, offline };
      this.watches.set(row.deviceId, w);
      if (!offline) this.arm(row.deviceId, w, offlineAt(now, w.intervalS, this.policy));
    }
    const offline = [...this.watches.entries()].filter(([, w]) => w.offline).map(([id]) => id);
    if (offline.length > 0) log.warn({ devices: offline }, 'devices still offline from before the restart');

    const heard = ({ source, receivedAt }: FromDevice<unknown>, intervalS?: number) =>
      this.heard(source.device.id, receivedAt, intervalS);
    bus.on(this.name, 'device:heartbeat', (e) => heard(e, e.message.intervalS));
    bus.on(this.name, 'device:telemetry', (e) => heard(e));
    bus.on(this.name, 'device:event', (e) => heard(e));
    bus.on(this.name, 'device:status', (e) => {
      if (e.message.state === 'online') heard(e);
      else log.debug({ device: e.source.device.id }, 'device disconnected (last will); heartbeats decide');
    });
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
    try {
      this.store.flush();
    } catch (err) {
      this.ctx.log.error(
        { err },
        'could not save heartbeat intervals; devices are supervised from the next heartbeat',
      );
    }
    for (const w of this.watches.values()) this.disarm(w);
    this.watches.clear();
  }

  /**
   * Any message proves the device alive. Cheap on purpose: telemetry at 1 msg/s from 2,000 bands
   * only moves `lastHeardAt`; the timer stays where it is and, when it fires early, re-arms for
   * the new deadline. It is re-armed at once only when a shorter interval brings the deadline
   * forward. Never throws: an exception here would make ingest deliver an SOS a second time.
   */
  private heard(deviceId: string, at: number, intervalS?: number): void {
    try {
      let w = this.watches.get(deviceId);
      if (intervalS !== undefined && w?.intervalS !== intervalS) {
        this.store.setInterval(deviceId, intervalS);
        if (!w) {
          w = { intervalS, lastHeardAt: at, timer: undefined, timerAt: 0, offline: undefined };
          this.watches.set(deviceId, w);
          this.ctx.log.info({ device: deviceId, intervalS }, 'device supervised');
        }
        w.intervalS = intervalS;
      }
      if (!w) return; // never declared an interval: not supervised
      // The latest message, not the latest time: after the clock is stepped back the deadline must
      // follow it, or a band dying then would be reported an hour late.
      w.lastHeardAt = at;
      const due = offlineAt(w.lastHeardAt, w.intervalS, this.policy);
      if (w.timer === undefined || w.timerAt > due) this.arm(deviceId, w, due);
      if (w.offline) this.back(deviceId, w);
    } catch (err) {
      this.ctx.log.error({ err, device: deviceId }, 'heartbeat supervision failed for a message');
    }
  }

  private arm(deviceId: string, w: Watch, at: number): void {
    this.disarm(w);
    w.timerAt = at;
    w.timer = this.ctx.clock.setTimeout(
      () => {
        w.timer = undefined;
        this.check(deviceId, w);
      },
      Math.max(0, at - this.ctx.clock.now()),
    );
  }

  private disarm(w: Watch): void {
    if (w.timer !== undefined) this.ctx.clock.clearTimeout(w.timer);
    w.timer = undefined;
  }

  private check(deviceId: string, w: Watch): void {
    if (this.watches.get(deviceId) !== w || w.offline) return;
    const due = offlineAt(w.lastHeardAt, w.intervalS, this.policy);
    if (this.ctx.clock.now() < due) {
      this.arm(deviceId, w, due); // heard since the timer was set
      return;
    }
    try {
      this.goOffline(deviceId, w);
    } catch (err) {
      // The alarm must not be lost: try again shortly, as the dispatcher does for escalations.
      this.ctx.log.error(
        { err, device: deviceId },
        'raising the device-offline alert failed; retrying in 5 s',
      );
      this.arm(deviceId, w, this.ctx.clock.now() + RETRY_MS);
    }
  }

  private goOffline(deviceId: string, w: Watch): void {
    const { register, alerts, clock, log } = this.ctx;
    const now = clock.now();
    const source = register.deviceContext(deviceId);
    if (!source) return; // left the register: nothing to supervise
    const trigger: Trigger = {
      kind: 'device-offline',
      priority: this.policy.priority,
      deviceId,
      residentId: source.resident?.id ?? null,
      roomId: source.room?.id ?? null,
      // No zone: no zone responders, so the shift supervisor is asked (as for calls).
      zoneId: source.zone?.id ?? 'unassigned',
      // One open offline alert per resident (band) or room (buttons), never a second one.
      joins: ['device-offline'],
      detail: {
        intervalS: w.intervalS,
        missedHeartbeats: this.policy.missedHeartbeats,
        lastHeardAt: w.lastHeardAt,
      },
      ruleId: this.ctx.rules.only('heartbeat-missed').id,
      rulesVersion: this.ctx.rules.current().version,
    };
    const { alert } = alerts.raise(trigger);
    this.store.setOffline(deviceId, now, alert.id);
    w.offline = { at: now, alertId: alert.id };
    log.warn(
      {
        device: deviceId,
        alertId: alert.id,
        intervalS: w.intervalS,
        silentS: Math.round((now - w.lastHeardAt) / 1000),
      },
      'device offline: missed its heartbeats',
    );
  }

  /**
   * The device is heard again. An offline alert nobody has taken yet is cancelled (the handsets
   * get the withdrawal). One a carer has accepted stays theirs to resolve with an outcome: they
   * may be on their way to find out why the band was silent (flat battery, left in a drawer,
   * resident out of range), and the reason belongs in the record; its audit trail notes the return.
   */
  private back(deviceId: string, w: Watch): void {
    const { alerts, clock, log } = this.ctx;
    const offline = w.offline!;
    w.offline = undefined;
    this.store.setOffline(deviceId, null, null);
    log.info(
      {
        device: deviceId,
        alertId: offline.alertId ?? undefined,
        offlineS: Math.round((clock.now() - offline.at) / 1000),
      },
      'device back online',
    );
    const id = offline.alertId;
    // Two buttons in one room share one alert: it stays until the last of them is back.
    if (id === null || [...this.watches.values()].some((o) => o.offline?.alertId === id)) return;
    try {
      const alert = alerts.get(id);
      if (!isOpen(alert.state)) return;
      const actor: Actor = { kind: 'device', id: deviceId };
      if (alert.state === 'raised' || alert.state === 'dispatched') alerts.cancel(id, actor);
      else alerts.cancelRequested(id, actor);
    } catch (err) {
      // Left open, the alert still reaches a carer, who closes it: the safe way to fail.
      log.error({ err, device: deviceId, alertId: id }, 'could not close the device-offline alert');
    }
  }
}
