import type { ErrorBody, HandsetReply, ReplyResult } from '@careedge/edge';
import type { AlertCommand, AlertCommands } from '../alerts/commands.js';
import type { GatewayModule } from '../core/module.js';
import type { DispatchDeps } from './dispatcher.js';

/**
 * The handsets' way onto the command path: each reply becomes an alert command, and every reply
 * is answered on the handset's `result` topic (ok, or the catalogue code and a sentence),
 * matched by `transaction` = reply seq.
 */
export class HandsetReplies implements GatewayModule {
  readonly name = 'handset-replies';

  constructor(
    private readonly ctx: Pick<DispatchDeps, 'bus' | 'clock' | 'mqtt'>,
    private readonly commands: AlertCommands,
  ) {}

  start(): void {
    this.ctx.bus.on(this.name, 'staff:reply', ({ staffId, reply }) => this.handle(staffId, reply));
    this.ctx.bus.on(this.name, 'staff:reply-refused', ({ staffId, seq, action, alertId, problem }) =>
      this.answer(staffId, seq, action, alertId, {
        code: 'invalid-request',
        message: `the reply does not match its schema: ${problem}`,
      }),
    );
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
  }

  private handle(staffId: string, reply: HandsetReply): void {
    const outcome = this.commands.execute({ kind: 'staff', id: staffId }, toCommand(reply));
    this.answer(
      staffId,
      reply.seq,
      reply.action,
      reply.alertId,
      outcome.ok ? undefined : { code: outcome.error.code, message: outcome.error.message },
    );
  }

  private answer(staffId: string, seq: number, action: string, alertId: number, error?: ErrorBody): void {
    const result: ReplyResult = {
      ts: this.ctx.clock.now(),
      transaction: seq,
      action,
      alertId,
      status: error ? 'error' : 'ok',
      ...(error ? { error } : {}),
    };
    this.ctx.mqtt.publish('staffResult', staffId, result);
  }
}

/** The wire's action names are the handsets' (`ack`, `arrived`); the command's are the gateway's. */
function toCommand(reply: HandsetReply): AlertCommand {
  const { alertId } = reply;
  switch (reply.action) {
    case 'received':
      return { action: 'received', alertId };
    case 'ack':
      return { action: 'accept', alertId };
    case 'decline':
      return { action: 'decline', alertId, reason: reply.reason };
    case 'arrived':
      return { action: 'arrive', alertId };
    case 'resolve':
      return { action: 'resolve', alertId, outcome: reply.outcome, note: reply.note };
    case 'handover':
      return { action: 'handover', alertId, to: reply.to, note: reply.note };
    case 'reassign':
      return { action: 'reassign', alertId, to: reply.to, note: reply.note };
    case 'note':
      return { action: 'note', alertId, text: reply.text };
  }
}
