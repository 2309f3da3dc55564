import type { AlertKind, DeviceEvent } from '@careedge/edge';
import type { Priority } from '../alerts/model.js';
import type { Trigger } from '../alerts/service.js';
import type { GatewayContext, GatewayModule } from '../core/context.js';
import type { FromDevice } from '../core/events.js';

/** Alert kinds a new trigger joins: a repeated press updates the open alert, never a second one. */
const JOINS: Record<AlertKind, AlertKind[]> = {
  sos: ['sos'],
  fall: ['fall'],
  call: ['call', 'emergency-call'],
  'emergency-call': ['call', 'emergency-call'],
  'device-offline': ['device-offline'], // raised by rules/supervision.ts, never by a device event
};

/**
 * The call rules: SOS, fall, and care-button call. After DIN VDE 0834, a call pressed while
 * staff presence is set in the room is an emergency call (the carer there needs help).
 */
export class CallRules implements GatewayModule {
  readonly name = 'rules';

  constructor(private readonly ctx: GatewayContext) {}

  start(): void {
    this.ctx.bus.on(this.name, 'device:event', (e) => this.onEvent(e));
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
  }

  private onEvent({ source, message, receivedAt, settle }: FromDevice<DeviceEvent>): void {
    const { alertStore, config } = this.ctx;
    const priority = config.rules.priority;
    const roomId = source.room?.id ?? null;
    switch (message.type) {
      case 'sos':
        this.raise(source, 'sos', priority.sos, { deviceSeq: message.seq }, settle);
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
          settle,
        );
        break;
      case 'call': {
        const emergency = roomId !== null && alertStore.presence(roomId);
        this.raise(
          source,
          emergency ? 'emergency-call' : 'call',
          emergency ? priority.emergencyCall : priority.call,
          {
            deviceSeq: message.seq,
            source: message.source ?? 'button',
          },
          settle,
        );
        break;
      }
      case 'presence':
        if (roomId) alertStore.setPresence(roomId, message.on, receivedAt);
        break;
      case 'cancel':
        if (roomId) this.cancel(roomId, source.device.id);
        break;
      case 'off-wrist':
        // Device supervision (band not worn) is a later rule; accepted and counted for now.
        break;
    }
  }

  /**
   * A reset at the device. With staff presence set, a carer is in the room: the reset closes the
   * room's open calls (DIN VDE 0834). Without it, only a plain call nobody has taken yet is
   * withdrawn (the resident pressed by mistake); a taken call or an emergency call stays open,
   * and the request is noted in its audit trail.
   */
  private cancel(roomId: string, deviceId: string): void {
    const { alertStore, alerts } = this.ctx;
    const staffPresent = alertStore.presence(roomId);
    for (const a of alertStore.openCallsInRoom(roomId)) {
      const untaken = a.kind === 'call' && (a.state === 'raised' || a.state === 'dispatched');
      if (staffPresent || untaken) alerts.cancel(a.id, { kind: 'device', id: deviceId });
      else alerts.cancelRequested(a.id, { kind: 'device', id: deviceId });
    }
  }

  private raise(
    source: FromDevice<DeviceEvent>['source'],
    kind: AlertKind,
    priority: Priority,
    detail: Record<string, unknown>,
    settle?: () => void,
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
      ...(settle ? { settle } : {}),
    };
    this.ctx.alerts.raise(trigger);
  }
}
