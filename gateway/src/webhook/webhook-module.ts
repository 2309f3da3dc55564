import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/schema.js';
import { WEBHOOK_SECRET_MIN } from '../config/webhook.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import type { WebhookEvents, WebhookOutcome } from './events.js';
import { type WebhookMetrics, webhookMetrics } from './metrics.js';
import { refusedForGood } from './post.js';
import { type DeadLetter, type WebhookDelivery, WebhookQueue } from './queue.js';
import { WebhookSender } from './sender.js';

export interface WebhookDeps {
  /** The gateway database: the webhook table lives beside the alerts (see WebhookQueue). */
  db: Db;
  bus: EventBus<WebhookEvents>;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  health: Pick<Health, 'warn' | 'unwarn'>;
  config: Pick<GatewayConfig, 'webhook'>;
  /** In [0, 1): the retry jitter (tests fix it). */
  random?: () => number;
}

/** One delivery to queue: `body` goes out as `data` of the signed JSON (README: the envelope). */
export interface WebhookRequest {
  alertId: number | null;
  /** What happened, for the receiver to route on: `alert.dispatched`, `alert.escalated`, … */
  event: string;
  body: unknown;
}

export type RefusalReason = 'disabled' | 'full' | 'storage' | 'invalid';

/** A delivery the webhook did not queue: nothing was written and nothing will be sent. */
export class WebhookRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRefused';
  }
}

const EVENT = /^[a-z][a-z0-9._-]{0,63}$/;
/** A page is a few hundred bytes; far more is a mistake upstream, refused rather than stored. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The webhook channel to a paging system (optional; off unless `webhook.enabled`): `enqueue`
 * commits a signed-to-be delivery to the gateway database and returns its id; the sender posts it
 * with retries and a dead-letter; each outcome is committed, then announced as
 * `webhook:delivery`. A dead or slow endpoint only ever delays its own deliveries: the alarm
 * path never waits for it.
 */
export class WebhookModule implements GatewayModule {
  readonly name = 'webhook';
  readonly optional = true;
  private readonly metrics: WebhookMetrics;
  private readonly log: Logger;
  private queue: WebhookQueue | undefined;
  private sender: WebhookSender | undefined;
  /** The latest attempt failed (and why): the endpoint is failing. */
  private failing: string | undefined;
  private deadSinceStart = 0;
  private lastDead: string | undefined;
  private refusedSinceStart = 0;

  constructor(private readonly ctx: WebhookDeps) {
    this.metrics = webhookMetrics(ctx.metrics.registry);
    this.log = ctx.log.child({ module: 'webhook' });
  }

  async start(): Promise<void> {
    const w = this.ctx.config.webhook;
    if (!w.enabled) return;
    // The table first: deliveries are taken, durably, even while the secret cannot be read yet.
    this.queue ??= new WebhookQueue(this.ctx.db, w.maxQueued);
    const queue = this.queue;
    const sender = new WebhookSender({
      queue,
      clock: this.ctx.clock,
      log: this.log,
      url: w.url,
      secret: readSecret(w),
      timeoutMs: w.timeoutS * 1000,
      maxAttempts: w.maxAttempts,
      onOutcome: (o) => this.outcome(o),
      ...(this.ctx.random ? { random: this.ctx.random } : {}),
    });
    this.sender = sender;
    this.gauges();
    sender.start();
    const { pending, dead } = queue.counts();
    this.log.info(
      { endpoint: origin(w.url), pending, deadLetters: dead },
      'webhook deliveries to the paging system',
    );
  }

  async stop(): Promise<void> {
    this.ctx.bus.removeOwner(this.name);
    await this.sender?.stop();
    this.sender = undefined;
    this.queue = undefined;
  }

  /**
   * Queues a delivery and returns its id (`x-careedge-delivery`, the same on every attempt).
   * Inside a caller's SQLite transaction it is part of it. Throws WebhookRefused (counted,
   * logged) when it cannot be queued; a delivery is never dropped once it has an id.
   */
  enqueue(r: WebhookRequest): string {
    const queue = this.queue;
    if (!queue)
      this.refuse(
        'disabled',
        this.ctx.config.webhook.enabled ? 'the webhook module is not running' : 'the webhook is not enabled',
      );
    if (!EVENT.test(r.event))
      this.refuse('invalid', `event "${r.event}" is not a lower-case name like alert.dispatched`);
    const id = randomUUID();
    const now = this.ctx.clock.now();
    let body: Buffer;
    try {
      const envelope = {
        id,
        event: r.event,
        alertId: r.alertId,
        createdAt: new Date(now).toISOString(),
        data: r.body,
      };
      body = Buffer.from(JSON.stringify(envelope), 'utf8');
    } catch (err) {
      this.refuse('invalid', `the body cannot be written as JSON (${(err as Error).message})`);
    }
    if (body.length > MAX_BODY_BYTES)
      this.refuse('invalid', `the body is ${body.length} bytes, more than ${MAX_BODY_BYTES}`);
    let pruned: number | undefined;
    try {
      pruned = queue.add({ id, alertId: r.alertId, event: r.event, body }, now);
    } catch (err) {
      this.refuse('storage', `the webhook table could not be written (${(err as Error).message})`);
    }
    if (pruned === undefined)
      this.refuse(
        'full',
        `the webhook table holds ${this.ctx.config.webhook.maxQueued} deliveries, every one still waiting`,
      );
    this.metrics.queued.inc();
    if (pruned > 0) this.metrics.pruned.inc(pruned);
    this.gauges();
    this.sender?.kick();
    return id;
  }

  /** One delivery as the table keeps it (for the delivery ledger and the tests). */
  delivery(id: string): WebhookDelivery | undefined {
    return this.queue?.get(id);
  }

  /** Dead letters, the latest first (an HTTP route can list them later). */
  deadLetters(limit = 100): DeadLetter[] {
    return this.queue?.deadLetters(limit) ?? [];
  }

  private outcome(o: WebhookOutcome): void {
    this.metrics.attempts.inc({ outcome: o.outcome });
    const endpoint = origin(this.ctx.config.webhook.url);
    const about = { deliveryId: o.deliveryId, alertId: o.alertId, event: o.event, attempt: o.attempt };
    switch (o.outcome) {
      case 'sent':
        if (this.failing !== undefined)
          this.log.info({ endpoint, ...about }, 'paging endpoint takes deliveries again');
        this.failing = undefined;
        break;
      case 'failed':
        if (this.failing === undefined)
          this.log.warn(
            { endpoint, ...about, error: o.error },
            'paging endpoint failing; retrying with backoff',
          );
        this.failing = o.error;
        break;
      case 'dead':
        this.deadSinceStart++;
        this.lastDead = o.error;
        this.log.error(
          { endpoint, ...about, error: o.error, deadSinceStart: this.deadSinceStart },
          'webhook delivery dead-lettered: the paging system will not get it',
        );
        // A permanent refusal says nothing of the next delivery; running out of attempts does.
        if (o.status !== undefined && refusedForGood(o.status)) this.failing = undefined;
        else this.failing = o.error;
        break;
    }
    this.gauges();
    this.report();
    this.ctx.bus.emit('webhook:delivery', o);
  }

  private refuse(reason: RefusalReason, message: string): never {
    this.metrics.refused.inc({ reason });
    if (reason !== 'disabled') {
      this.refusedSinceStart++;
      this.log.error({ reason }, `webhook delivery refused: ${message}`);
      this.report();
    }
    throw new WebhookRefused(reason, message);
  }

  private gauges(): void {
    try {
      const c = this.queue?.counts();
      this.metrics.pending.set(c?.pending ?? 0);
      this.metrics.deadLetters.set(c?.dead ?? 0);
    } catch {
      /* the sender reports storage failures */
    }
  }

  /** One /healthz warning: the endpoint failing, deliveries dead-lettered or refused since start. */
  private report(): void {
    const parts: string[] = [];
    if (this.failing !== undefined)
      parts.push(`paging endpoint ${origin(this.ctx.config.webhook.url)} failing (${this.failing})`);
    if (this.deadSinceStart > 0)
      parts.push(`${this.deadSinceStart} deliveries dead-lettered since start (last: ${this.lastDead})`);
    if (this.refusedSinceStart > 0) parts.push(`${this.refusedSinceStart} deliveries refused since start`);
    if (parts.length > 0) this.ctx.health.warn('webhook', parts.join('; '));
    else this.ctx.health.unwarn('webhook');
  }
}

/** The configured secret: from secretFile (white space around it ignored) or secret itself. */
function readSecret(w: GatewayConfig['webhook']): string {
  const secret = w.secretFile ? readFileSync(w.secretFile, 'utf8').trim() : w.secret;
  if (secret.length < WEBHOOK_SECRET_MIN)
    throw new Error(
      `webhook.${w.secretFile ? `secretFile: ${w.secretFile} holds` : 'secret: is'} fewer than ${WEBHOOK_SECRET_MIN} characters`,
    );
  return secret;
}

/** Scheme, host and port only: a path or query may carry the receiver's token. */
const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
};
