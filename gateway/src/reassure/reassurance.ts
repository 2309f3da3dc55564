import type { Reassurance } from '@careedge/edge';
import type { AlertChange, AlertEvents } from '../alerts/events.js';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { GatewayModule } from '../core/module.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';

/** Changes after which someone (else) is on the way. */
const HELP_COMING: ReadonlySet<AlertChange['action']> = new Set([
  'acknowledged',
  'handed-over',
  'reassigned',
]);

/**
 * Tells the resident that help is on the way as soon as somebody accepts the alert (and who, if
 * configured) — a resident who knows someone is coming does not try to get up alone — and that
 * it is delayed when the one coming did not arrive: a delay is announced, not hidden.
 */
export class ReassuranceModule implements GatewayModule {
  readonly name = 'reassurance';

  constructor(
    private readonly ctx: {
      bus: EventBus<AlertEvents>;
      mqtt: Pick<MqttLink, 'publish'>;
      clock: Clock;
      register: SiteRegister;
      config: Pick<GatewayConfig, 'reassurance'>;
    },
  ) {}

  start(): void {
    this.ctx.bus.on(this.name, 'alert:changed', ({ alert, action }) => {
      // The resident did not call: "help is coming" (or "delayed") for a silent band would only
      // confuse them. A storm's summary is nobody's device: the gateway lists other alerts in it.
      // A feedback follow-up is the supervisor's task, not a call from the kiosk.
      if (
        alert.kind === 'device-offline' ||
        alert.kind === 'alert-summary' ||
        alert.kind === 'feedback-follow-up'
      )
        return;
      if (action === 'returned') {
        this.ctx.mqtt.publish('deviceReassurance', alert.deviceId, {
          ts: this.ctx.clock.now(),
          alertId: alert.id,
          kind: 'delayed',
          text: 'Help is delayed. We are calling someone else now.',
        } satisfies Reassurance);
        return;
      }
      // A handover or a reassignment changes who is coming: the resident hears the new name.
      if (!HELP_COMING.has(action) && action !== 'resolved') return;
      const staff = alert.ownerId ? this.ctx.register.staff(alert.ownerId) : undefined;
      const firstName = this.ctx.config.reassurance.useFirstName ? staff?.firstName : undefined;
      const message: Reassurance =
        action !== 'resolved'
          ? {
              ts: this.ctx.clock.now(),
              alertId: alert.id,
              kind: 'help-coming',
              ...(firstName ? { staffFirstName: firstName } : {}),
              text: firstName ? `Help is coming: ${firstName} is on the way.` : 'Help is coming.',
            }
          : {
              ts: this.ctx.clock.now(),
              alertId: alert.id,
              kind: 'resolved',
              text: 'Your call has been closed.',
            };
      this.ctx.mqtt.publish('deviceReassurance', alert.deviceId, message);
    });
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
  }
}
