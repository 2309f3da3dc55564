import { randomInt } from 'node:crypto';
import { type DeviceEvent, type Dispatch, PROVISIONAL_ALERT_ID_BASE, type Withdrawal } from '@careedge/edge';
import { Counter } from 'prom-client';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import { probeStorage, storageFault } from '../core/storage-probe.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';
import type { FromDevice, IngestEvents } from './events.js';

/** How often a degraded gateway tries a write to notice that storage works again. */
export const STORAGE_PROBE_INTERVAL_MS = 10_000;

type AlarmType = 'sos' | 'fall' | 'call';
const ALARMS: ReadonlySet<string> = new Set<AlarmType>(['sos', 'fall', 'call']);

interface Unrecorded {
  dispatch: Dispatch;
  event: FromDevice<DeviceEvent>;
  /** Everyone who was told, so everyone sees it withdrawn. */
  told: Set<string>;
  timer: unknown;
}

/**
 * Alarms whose alert could not be stored (full or read-only SD card). The device already has its
 * PUBACK, and without storage nobody can own, track or escalate the alert, so the alarm goes at
 * once, from memory, to everyone who might help: the zone's responders, the supervisors and all
 * staff on shift (every registered staff member when nobody is on shift). It is re-sent every
 * high-priority acknowledgement timeout while ingest keeps retrying the write; once a retry
 * stores it, the real alert is dispatched the normal way and the provisional one is withdrawn.
 * The `storage` problem is set while storage fails, and a cheap write probe notices recovery.
 */
export class UnrecordedAlarms implements GatewayModule {
  readonly name = 'unrecorded-alarms';
  /**
   * Starts at a random point of the provisional range, so numbers handed out before a restart are
   * not handed out again to other alarms after it (a handset keys its cards by number).
   */
  private nextId: number;
  private readonly pending = new Map<FromDevice<DeviceEvent>, Unrecorded>();
  /**
   * Device events whose write failed with SQLite's own storage code (SQLITE_FULL …), until a
   * retry stores them: the probe cannot clear that verdict, as its rolled-back insert never
   * reaches a full card.
   */
  private readonly storageFailed = new Set<FromDevice<DeviceEvent>>();
  private probeTimer: unknown;
  private unsubscribeHealth: (() => void) | undefined;
  private stopped = false;
  private readonly unrecordedAlarms: Counter;

  constructor(
    private readonly ctx: {
      bus: EventBus<Pick<IngestEvents, 'staff:status'>>;
      config: Pick<GatewayConfig, 'rules' | 'dispatch'>;
      clock: Clock;
      log: Logger;
      metrics: Metrics;
      mqtt: Pick<MqttLink, 'publish'>;
      register: SiteRegister;
      db: Db;
      health: Health;
    },
    /**
     * Once stored, the real alert is dispatched at its first level: everyone who had the
     * provisional one must still be asked about the real one, or the alarm would vanish from
     * their handsets while nobody has gone (the composition root hands this to the dispatcher).
     */
    private readonly alsoAsk: (deviceId: string, staffIds: string[]) => void = () => {},
  ) {
    this.nextId = PROVISIONAL_ALERT_ID_BASE + randomInt(100_000_000);
    this.unrecordedAlarms = new Counter({
      registers: [ctx.metrics.registry],
      name: 'careedge_unrecorded_alarms_total',
      help: 'Alarms that could not be stored and were dispatched from memory.',
    });
  }

  start(): void {
    // Whoever finds storage failing (an escalation, a reply), the probe that notices recovery runs.
    this.unsubscribeHealth = this.ctx.health.onChange((c) => {
      if (c.kind === 'started' && c.problem.problem === 'storage') this.scheduleProbe();
    });
    // A handset that (re)connects during the outage gets the alarms it was sent while away.
    this.ctx.bus.on(this.name, 'staff:status', ({ staffId, state }) => {
      if (state !== 'online') return;
      for (const p of this.pending.values()) {
        if (p.told.has(staffId)) {
          this.ctx.mqtt.publish('staffDispatch', staffId, { ...p.dispatch, ts: this.ctx.clock.now() });
        }
      }
    });
    // A problem found at start-up (read-only database) needs the probe to notice recovery.
    if (this.ctx.health.has('storage')) this.scheduleProbe();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribeHealth?.();
    this.ctx.bus.removeOwner(this.name);
    for (const p of this.pending.values()) this.ctx.clock.clearTimeout(p.timer);
    if (this.probeTimer !== undefined) this.ctx.clock.clearTimeout(this.probeTimer);
  }

  /** Handling this device event failed; if it is an alarm, it goes out from memory now. */
  failed(event: FromDevice<DeviceEvent>, err?: unknown): void {
    // A failed write is a storage problem when SQLite said so, or a write probe fails too;
    // otherwise it was a bug elsewhere, and the alarm is still unrecorded, so it still goes out.
    const fault = storageFault(err);
    if (fault) this.storageFailed.add(event);
    const reason = fault ?? probeStorage(this.ctx.db);
    if (reason) this.ctx.health.set('storage', reason);
    if (this.ctx.health.has('storage')) this.scheduleProbe();
    if (!ALARMS.has(event.message.type) || this.pending.has(event)) return;
    const p: Unrecorded = { dispatch: this.dispatchFor(event), event, told: new Set(), timer: undefined };
    this.pending.set(event, p);
    this.unrecordedAlarms.inc();
    this.ctx.log.error(
      { device: event.source.device.id, type: event.message.type, provisionalId: p.dispatch.alertId },
      'alarm could not be recorded: dispatched from memory to everyone on shift',
    );
    this.send(p);
  }

  /** A retry stored the alarm: its real alert was dispatched; withdraw the provisional one. */
  recorded(event: FromDevice<DeviceEvent>): void {
    const p = this.pending.get(event);
    if (!p) {
      if (this.storageFailed.delete(event)) this.probe();
      return;
    }
    this.storageFailed.delete(event);
    this.pending.delete(event);
    this.ctx.clock.clearTimeout(p.timer);
    const withdrawn: Withdrawal = {
      ts: this.ctx.clock.now(),
      type: 'withdrawn',
      alertId: p.dispatch.alertId,
      reason: 'recorded',
    };
    for (const staffId of p.told) this.ctx.mqtt.publish('staffDispatch', staffId, withdrawn);
    try {
      this.alsoAsk(event.source.device.id, [...p.told]);
    } catch (err) {
      this.ctx.log.error({ err }, 'could not send the stored alert to everyone who had the provisional one');
    }
    this.ctx.log.info({ provisionalId: p.dispatch.alertId }, 'unrecorded alarm is now stored');
    this.probe();
  }

  private send(p: Unrecorded): void {
    if (this.stopped) return;
    const { clock, mqtt, config } = this.ctx;
    const dispatch = { ...p.dispatch, ts: clock.now() };
    for (const staffId of this.recipients(p.event)) {
      p.told.add(staffId);
      mqtt.publish('staffDispatch', staffId, dispatch);
    }
    p.timer = clock.setTimeout(() => this.send(p), config.dispatch.ackTimeoutS.high * 1000);
  }

  /** Recomputed on every send, so a shift change reaches the new shift. */
  private recipients({ source }: FromDevice<DeviceEvent>): string[] {
    const { register, clock } = this.ctx;
    const now = clock.now();
    // The zone's responders first (they are on shift too, so the rest is everyone else).
    const ids = new Set(source.zone ? register.respondersFor(source.zone.id, now).map((s) => s.id) : []);
    for (const s of register.everyoneOnCall(now)) ids.add(s.id);
    return [...ids];
  }

  private dispatchFor({ source, message, receivedAt }: FromDevice<DeviceEvent>): Dispatch {
    const type = message.type as AlarmType;
    const priorities = this.ctx.config.rules.priority;
    const priority: Dispatch['priority'] =
      type === 'sos' ? priorities.sos : type === 'fall' ? priorities.fall : priorities.call;
    const room =
      source.room ?? (source.resident ? this.ctx.register.room(source.resident.roomId) : undefined);
    return {
      ts: receivedAt,
      type: 'alert',
      alertId: this.nextId++,
      reason: 'unrecorded',
      provisional: true,
      kind: type,
      priority,
      level: 0,
      raisedAt: receivedAt,
      count: 1,
      ...(source.resident ? { residentId: source.resident.id, residentName: source.resident.name } : {}),
      ...(room ? { room: room.name } : {}),
      zone: source.zone?.name ?? source.zone?.id ?? 'unknown zone',
    };
  }

  private scheduleProbe(): void {
    if (this.probeTimer !== undefined || this.stopped) return;
    this.probeTimer = this.ctx.clock.setTimeout(() => {
      this.probeTimer = undefined;
      this.probe();
      if (this.ctx.health.has('storage')) this.scheduleProbe();
    }, STORAGE_PROBE_INTERVAL_MS);
  }

  /**
   * Clears `storage` once a write works and no alarm, nor any event whose write failed with a
   * storage code, is still waiting to be stored.
   */
  private probe(): void {
    if (!this.ctx.health.has('storage')) return;
    const reason = probeStorage(this.ctx.db);
    if (reason) this.ctx.health.set('storage', reason);
    else if (this.pending.size === 0 && this.storageFailed.size === 0) this.ctx.health.clear('storage');
  }
}
