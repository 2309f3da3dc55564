import type {
  ChannelMessage,
  Dispatch,
  HandsetReply,
  OmitEach,
  Outcome,
  ReplyResult,
  SystemNotice,
  Withdrawal,
} from '@careedge/edge';
import { Autopilot, type AutopilotDecision } from './handset-autopilot.js';
import type { HandsetBehaviour } from './handset-policy.js';
import { type ClientEvents, SimClient, type SimClientOptions } from './sim-client.js';

export interface HandsetOptions extends SimClientOptions {
  /** Applied automatically to each dispatch; without one the handset only does what it is told. */
  behaviour?: HandsetBehaviour;
  /** Send a `received` delivery receipt for every dispatch (a real handset does). Default true. */
  receipts?: boolean;
  /** Reject a reply's promise when no result came within this time (clock ms). Default 10 s. */
  resultTimeoutMs?: number;
}

export interface HandsetEvents extends ClientEvents {
  dispatch: [Dispatch];
  withdrawn: [Withdrawal];
  /** The gateway is degraded or recovered (a `system` notice). */
  system: [SystemNotice];
  /** A reply this handset sent (before the gateway answered it). */
  replied: [HandsetReply];
  /** The gateway's answer, with the reply it answers when this handset sent it. */
  result: [ReplyResult, HandsetReply | undefined];
  /** What the behaviour policy decided for a dispatch. */
  decision: [AutopilotDecision];
}

type ReplyBody = OmitEach<HandsetReply, 'seq' | 'ts' | 'alertId'>;

interface Pending {
  reply: HandsetReply;
  resolve: (r: ReplyResult) => void;
  reject: (err: Error) => void;
  timer: unknown;
}

/**
 * A staff member's handset: receives dispatches and withdrawals, sends replies and matches each
 * gateway result to its reply by `transaction` (= the reply's `seq`), so every action method
 * returns the result it got.
 */
export class Handset extends SimClient<HandsetEvents> {
  private readonly pending = new Map<number, Pending>();
  private readonly resultTimeoutMs: number;
  private readonly receipts: boolean;
  private readonly autopilot: Autopilot | undefined;

  constructor(opts: HandsetOptions) {
    super('staff', opts, ['staffDispatch', 'staffResult']);
    this.resultTimeoutMs = opts.resultTimeoutMs ?? 10_000;
    this.receipts = opts.receipts ?? true;
    this.autopilot = opts.behaviour ? new Autopilot(this, opts.behaviour, this.clock) : undefined;
  }

  received(alertId: number): Promise<ReplyResult> {
    return this.reply(alertId, { action: 'received' });
  }
  ack(alertId: number): Promise<ReplyResult> {
    return this.reply(alertId, { action: 'ack' });
  }
  decline(alertId: number, reason?: string): Promise<ReplyResult> {
    return this.reply(alertId, reason === undefined ? { action: 'decline' } : { action: 'decline', reason });
  }
  arrived(alertId: number): Promise<ReplyResult> {
    return this.reply(alertId, { action: 'arrived' });
  }
  resolve(alertId: number, outcome: Outcome, note?: string): Promise<ReplyResult> {
    return this.reply(
      alertId,
      note === undefined ? { action: 'resolve', outcome } : { action: 'resolve', outcome, note },
    );
  }
  handover(alertId: number, to: string, note?: string): Promise<ReplyResult> {
    return this.reply(
      alertId,
      note === undefined ? { action: 'handover', to } : { action: 'handover', to, note },
    );
  }

  private reply(alertId: number, body: ReplyBody): Promise<ReplyResult> {
    // Register the pending result before publishing: the gateway's answer can reach us before the
    // broker's PUBACK does. `publish` takes exactly this seq, synchronously.
    const seq = this.nextSeq;
    const result = new Promise<ReplyResult>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`${this.id}: no result for ${body.action} #${alertId} (seq ${seq})`));
      }, this.resultTimeoutMs);
      const reply: HandsetReply = { seq, ts: this.clock.now(), alertId, ...body };
      this.pending.set(seq, { reply, resolve, reject, timer });
    });
    const published = this.publish('staffReply', { ...body, alertId });
    this.emit('replied', this.pending.get(seq)!.reply);
    published.catch((err: Error) => {
      const p = this.pending.get(seq);
      if (!p) return;
      this.pending.delete(seq);
      this.clock.clearTimeout(p.timer);
      p.reject(err);
    });
    return result;
  }

  protected override onInbound(message: ChannelMessage): void {
    if (message.channel === 'staffDispatch') {
      const msg = message.payload;
      if (msg.type === 'alert') {
        this.emit('dispatch', msg);
        // A provisional (unrecorded) alarm has no stored alert to confirm.
        if (this.receipts && !msg.provisional)
          this.received(msg.alertId).catch((err: Error) => this.emit('trouble', err));
        this.autopilot?.onDispatch(msg);
      } else if (msg.type === 'withdrawn') {
        this.emit('withdrawn', msg);
        this.autopilot?.onWithdrawn(msg);
      } else {
        this.emit('system', msg);
      }
    } else if (message.channel === 'staffResult') {
      const result = message.payload;
      const pending = this.pending.get(result.transaction);
      if (pending) {
        this.pending.delete(result.transaction);
        this.clock.clearTimeout(pending.timer);
      }
      this.emit('result', result, pending?.reply);
      pending?.resolve(result);
    }
  }

  protected override onClosing(): void {
    this.autopilot?.stop();
    for (const [seq, p] of this.pending) {
      this.clock.clearTimeout(p.timer);
      p.reject(new Error(`${this.id}: closed before the result of ${p.reply.action} #${p.reply.alertId}`));
      this.pending.delete(seq);
    }
  }
}
