import type { Dispatch, Outcome, ReplyResult, Withdrawal } from '@careedge/edge';
import type { Clock } from '../clock.js';
import { type HandsetBehaviour, type HandsetPolicy, policyFor } from './handset-policy.js';

/** The handset actions the autopilot uses (the Handset class, or a stub in tests). */
export interface HandsetActions {
  readonly id: string;
  ack(alertId: number): Promise<ReplyResult>;
  decline(alertId: number, reason?: string): Promise<ReplyResult>;
  arrived(alertId: number): Promise<ReplyResult>;
  resolve(alertId: number, outcome: Outcome): Promise<ReplyResult>;
  emit(event: 'decision', d: AutopilotDecision): boolean;
  emit(event: 'trouble', err: Error): boolean;
}

export interface AutopilotDecision {
  alertId: number;
  dispatch: Dispatch;
  policy: HandsetPolicy;
  /** `owner`: the alert was handed to us (or we already own it), so we go straight to arriving. */
  start: 'offer' | 'owner' | 'already-handled' | 'owned-by-other';
}

type Stage = 'offered' | 'owned' | 'done';

interface Tracked {
  stage: Stage;
  timer: unknown;
}

/**
 * Applies a handset behaviour to each dispatch, on the injected clock: accept → ack, arrive,
 * resolve with the configured delays; decline after a delay; ignore does nothing (so the gateway
 * escalates). Reminders and updates for an alert already in hand are not acted on twice, and a
 * withdrawal cancels whatever was still scheduled.
 */
export class Autopilot {
  private readonly alerts = new Map<number, Tracked>();

  constructor(
    private readonly handset: HandsetActions,
    private readonly behaviour: HandsetBehaviour,
    private readonly clock: Clock,
  ) {}

  onDispatch(d: Dispatch): void {
    const policy = policyFor(this.behaviour, d);
    const tracked = this.alerts.get(d.alertId);
    // A handover is offered: like a new alert, it is ours only once we accept it.
    const offeredToUs = d.reason === 'handover';
    const ownedByOther = !offeredToUs && d.ownerId !== undefined && d.ownerId !== this.handset.id;
    const toUs = !offeredToUs && d.ownerId === this.handset.id;
    let start: AutopilotDecision['start'];
    if (tracked && tracked.stage !== 'done') start = 'already-handled';
    else if (ownedByOther) start = 'owned-by-other';
    else start = toUs ? 'owner' : 'offer';
    this.handset.emit('decision', { alertId: d.alertId, dispatch: d, policy, start });
    if (start === 'already-handled' || start === 'owned-by-other') return;

    const entry: Tracked = { stage: start === 'owner' ? 'owned' : 'offered', timer: undefined };
    this.alerts.set(d.alertId, entry);
    switch (policy.mode) {
      case 'ignore':
        // A carer who does not react: nothing is sent, the gateway's ack timeout escalates it.
        entry.stage = 'done';
        return;
      case 'decline':
        if (start === 'owner') return; // a declining carer only turns down offers; an owner keeps what she was given
        this.after(entry, policy.afterMs, () =>
          this.step(entry, this.handset.decline(d.alertId, policy.reason), () => {
            entry.stage = 'done';
          }),
        );
        return;
      case 'accept': {
        const resolve = () =>
          this.after(entry, policy.resolveAfterMs, () =>
            this.step(entry, this.handset.resolve(d.alertId, policy.outcome), () => {
              entry.stage = 'done';
            }),
          );
        const arrive = () =>
          this.after(entry, policy.arriveAfterMs, () =>
            this.step(entry, this.handset.arrived(d.alertId), resolve),
          );
        if (start === 'owner') {
          arrive();
          return;
        }
        this.after(entry, policy.ackAfterMs, () =>
          this.step(entry, this.handset.ack(d.alertId), () => {
            entry.stage = 'owned';
            arrive();
          }),
        );
        return;
      }
    }
  }

  onWithdrawn(w: Withdrawal): void {
    const entry = this.alerts.get(w.alertId);
    if (!entry) return;
    this.cancel(entry);
    entry.stage = 'done';
  }

  /** Cancels everything scheduled (the handset is closing). */
  stop(): void {
    for (const entry of this.alerts.values()) this.cancel(entry);
    this.alerts.clear();
  }

  private after(entry: Tracked, ms: number, fn: () => void): void {
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      if (entry.stage !== 'done') fn();
    }, ms);
  }

  /** Continues only when the gateway said ok; an error result (taken by someone else…) ends it. */
  private step(entry: Tracked, reply: Promise<ReplyResult>, next: () => void): void {
    reply.then(
      (result) => {
        if (entry.stage === 'done') return;
        if (result.status === 'ok') next();
        else entry.stage = 'done';
      },
      (err: Error) => {
        entry.stage = 'done';
        this.handset.emit('trouble', err);
      },
    );
  }

  private cancel(entry: Tracked): void {
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
  }
}
