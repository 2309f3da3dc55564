import { type HandsetReply, isProvisionalAlertId, type ReplyResult } from '@careedge/edge';
import { AlertError } from '../alerts/errors.js';
import type { GatewayModule } from '../core/module.js';
import type { DispatchDeps, Dispatcher } from './dispatcher.js';

/**
 * Carries out what carers do on their handsets and answers every reply on the handset's
 * `result` topic (ok, or the error code and a sentence), matched by `transaction` = reply seq.
 */
export class HandsetReplies implements GatewayModule {
  readonly name = 'handset-replies';

  constructor(
    private readonly ctx: Pick<DispatchDeps, 'alerts' | 'bus' | 'clock' | 'log' | 'mqtt'>,
    private readonly dispatcher: Dispatcher,
  ) {}

  start(): void {
    this.ctx.bus.on(this.name, 'staff:reply', ({ staffId, reply }) => this.handle(staffId, reply));
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
  }

  private handle(staffId: string, reply: HandsetReply): void {
    const result: ReplyResult = {
      ts: this.ctx.clock.now(),
      transaction: reply.seq,
      action: reply.action,
      alertId: reply.alertId,
      status: 'ok',
    };
    try {
      this.apply(staffId, reply);
    } catch (err) {
      result.status = 'error';
      if (err instanceof AlertError) {
        result.error = { code: err.code, message: err.message };
        this.ctx.log.info(
          { staffId, action: reply.action, alertId: reply.alertId, code: err.code },
          err.message,
        );
      } else {
        // Still answer, so the handset shows the failure and its user can try again.
        result.error = {
          code: 'internal-error',
          message: 'the gateway could not record this; please try again',
        };
        this.ctx.log.error(
          { err, staffId, action: reply.action, alertId: reply.alertId },
          'handset reply failed',
        );
      }
    }
    this.ctx.mqtt.publish('staffResult', staffId, result);
  }

  private apply(staffId: string, reply: HandsetReply): void {
    const { alerts } = this.ctx;
    if (isProvisionalAlertId(reply.alertId)) {
      throw new AlertError(
        'alert-unrecorded',
        `alert ${reply.alertId} is provisional: the gateway could not store it, so it cannot be accepted; go to the resident and tell the others by voice`,
      );
    }
    switch (reply.action) {
      case 'received':
        alerts.received(reply.alertId, staffId);
        break;
      case 'ack':
        alerts.acknowledge(reply.alertId, staffId);
        break;
      case 'decline': {
        alerts.decline(reply.alertId, staffId, reply.reason);
        this.dispatcher.afterDecline(reply.alertId);
        break;
      }
      case 'arrived':
        alerts.attend(reply.alertId, staffId);
        break;
      case 'resolve':
        alerts.resolve(reply.alertId, staffId, reply.outcome, reply.note);
        break;
      case 'handover':
        alerts.handover(reply.alertId, staffId, reply.to, reply.note);
        break;
    }
  }
}
