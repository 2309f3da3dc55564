import type { AlertKind, DeviceEvent } from '@careedge/edge';
import type { Priority } from '../alerts/model.js';
import type { AlertService, Trigger } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { GatewayModule } from '../core/module.js';
import type { FromDevice, IngestEvents } from '../ingest/events.js';
import type { InstantParams } from './kinds/instant.js';
import type { RulesSource } from './source.js';

/** Alert kinds a new trigger joins: a repeated press updates the open alert, never a second one. */
const JOINS: Record<AlertKind, AlertKind[]> = {
  sos: ['sos'],
  fall: ['fall'],
  call: ['call', 'emergency-call'],
  'emergency-call': ['call', 'emergency-call'],
  'device-offline': ['device-offline'], // raised by rules/supervision.ts, never by a device event
  // Raised by the anomaly rules (rules/kinds/), each joining only its own kind.
  'vital-sign': ['vital-sign'],
  inactivity: ['inactivity'],
  'not-up': ['not-up'],
  'night-wandering': ['night-wandering'],
  'battery-low': ['battery-low'],
  'not-worn': ['not-worn'],
  unclassified: ['unclassified'],
  'alert-summary': ['alert-summary'],
  'feedback-follow-up': ['feedback-follow-up'], // raised by feedback/, one per kiosk
};

/**
 * The call rules: SOS, fall, and care-button call. After DIN VDE 0834, a call pressed while
 * staff presence is set in the room is an emergency call (the carer there needs help).
 */
export class CallRules implements GatewayModule {
  readonly name = 'rules';

  constructor(
    private readonly ctx: {
      bus: EventBus<Pick<IngestEvents, 'device:event'>>;
      alerts: AlertService;
      alertStore: AlertStore;
      clock: Clock;
      log: Logger;
      /** The rules file's `instant` rule: priorities, presence lifetime, its id and version. */
      rules: Pick<RulesSource, 'only' | 'current'>;
    },
  ) {}

  private params(): InstantParams {
    return this.ctx.rules.only('instant').params as InstantParams;
  }

  start(): void {
    this.ctx.bus.on(this.name, 'device:event', (e) => this.onEvent(e));
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
  }

  private onEvent({ source, message, receivedAt, settle, retransmission }: FromDevice<DeviceEvent>): void {
    const { priority } = this.params();
    const roomId = source.room?.id ?? null;
    const extra = { settle, retransmission, at: receivedAt };
    switch (message.type) {
      case 'sos':
        this.raise(source, 'sos', priority.sos, { deviceSeq: message.seq }, extra);
        break;
      case 'fall':
        this.raise(
          source,
          'fall',
          priority.fall,
          {
            deviceSeq: message.seq,
            ...(message.confidence !== undefined ? { confidence: message.confidence } : {}),
          },
          extra,
        );
        break;
      case 'call': {
        const detail = { deviceSeq: message.seq, source: message.source ?? 'button' };
        if (roomId === null || !this.staffPresent(roomId)) {
          this.raise(source, 'call', priority.call, detail, extra);
          break;
        }
        // The carer in the room needs help. Never folded into a call somebody has already taken
        // (that would tell only her): it joins a call still waiting for acceptance, or is a new
        // alert for the others.
        this.raise(source, 'emergency-call', priority.emergencyCall, detail, {
          ...extra,
          joinStates: ['raised', 'dispatched'],
          excludeStaff: this.staffInRoom(roomId),
        });
        break;
      }
      case 'presence':
        if (!roomId) break;
        this.ctx.alertStore.setPresence(roomId, message.on, receivedAt);
        if (message.on) this.arrivedByPresence(roomId, source.device.id);
        break;
      case 'cancel':
        if (roomId) this.cancel(roomId, source.device.id);
        break;
      case 'off-wrist':
        // Device supervision (band not worn) is a later rule; accepted and counted for now.
        break;
    }
  }

  /** Presence set, and not so long ago that it is a key somebody forgot to clear. */
  private staffPresent(roomId: string): boolean {
    const since = this.ctx.alertStore.presenceSince(roomId);
    if (since === null) return false;
    // A start in the future means the clock came back behind (a Pi without a real-time clock):
    // its age is unknown, so it counts as expired rather than as set for ever.
    const age = this.ctx.clock.now() - since;
    return age >= 0 && age < this.params().presenceLifetimeS * 1000;
  }

  /** Owners of the room's taken calls: the staff who are (or are going to be) in the room. */
  private staffInRoom(roomId: string): string[] {
    const owners = this.ctx.alertStore.openCallsInRoom(roomId).map((a) => a.ownerId);
    return [...new Set(owners.filter((o): o is string => o !== null))];
  }

  /**
   * Setting presence is how a carer arrives in DIN VDE 0834: a call in this room that she has
   * accepted counts as attended, so it stops waiting for her and an emergency call from her now
   * is a new alert for others.
   */
  private arrivedByPresence(roomId: string, deviceId: string): void {
    for (const a of this.ctx.alertStore.openCallsInRoom(roomId)) {
      if (a.state === 'acknowledged' && a.ownerId) {
        this.ctx.alerts.attend(a.id, a.ownerId, { kind: 'device', id: deviceId });
      }
    }
  }

  /**
   * A reset at the device. With staff presence set, a carer is in the room: the reset closes the
   * room's open calls and ends her presence (DIN VDE 0834). Without it, only a plain call nobody
   * has taken yet is withdrawn (the resident pressed by mistake); a taken call or an emergency
   * call stays open, and the request is noted in its audit trail.
   */
  private cancel(roomId: string, deviceId: string): void {
    const { alertStore, alerts, clock } = this.ctx;
    const staffPresent = this.staffPresent(roomId);
    for (const a of alertStore.openCallsInRoom(roomId)) {
      const untaken = a.kind === 'call' && (a.state === 'raised' || a.state === 'dispatched');
      if (staffPresent || untaken) alerts.cancel(a.id, { kind: 'device', id: deviceId });
      else alerts.cancelRequested(a.id, { kind: 'device', id: deviceId });
    }
    if (staffPresent) alertStore.setPresence(roomId, false, clock.now());
  }

  private raise(
    source: FromDevice<DeviceEvent>['source'],
    kind: AlertKind,
    priority: Priority,
    detail: Record<string, unknown>,
    extra: Pick<Trigger, 'settle' | 'retransmission' | 'joinStates' | 'excludeStaff' | 'at'>,
  ) {
    if (!source.zone) {
      // Never drop a call: with no zone there are no zone responders, so it goes to the supervisor.
      this.ctx.log.error(
        { device: source.device.id },
        'device has no zone; alert goes to the shift supervisor',
      );
    }
    const trigger: Trigger = {
      kind,
      priority,
      deviceId: source.device.id,
      residentId: source.resident?.id ?? null,
      roomId: source.room?.id ?? null,
      zoneId: source.zone?.id ?? 'unassigned',
      joins: JOINS[kind],
      detail,
      ...(extra.settle ? { settle: extra.settle } : {}),
      ...(extra.at !== undefined ? { at: extra.at } : {}),
      ...(extra.retransmission ? { retransmission: true } : {}),
      ...(extra.joinStates ? { joinStates: extra.joinStates } : {}),
      ...(extra.excludeStaff?.length ? { excludeStaff: extra.excludeStaff } : {}),
      ruleId: this.ctx.rules.only('instant').id,
      rulesVersion: this.ctx.rules.current().version,
    };
    this.ctx.alerts.raise(trigger);
  }
}
