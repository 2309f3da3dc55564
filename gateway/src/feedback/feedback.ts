import type { DeviceConfiguration, KioskTap, KioskThanks } from '@careedge/edge';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Db } from '../core/db.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { FromDevice, IngestEvents } from '../ingest/events.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';
import type { FeedbackEvents } from './events.js';
import { type FollowUpDeps, FollowUps } from './follow-up.js';
import { type FeedbackMetrics, feedbackMetrics } from './metrics.js';
import { FeedbackStore } from './store.js';

export interface FeedbackDeps extends FollowUpDeps {
  bus: EventBus<Pick<IngestEvents, 'device:tap'> & FeedbackEvents>;
  db: Db;
  metrics: Metrics;
  mqtt: Pick<MqttLink, 'publish'>;
  config: Pick<GatewayConfig, 'feedback' | 'dispatch' | 'log'>;
  register: Pick<SiteRegister, 'supervisorsOnShift' | 'allDevices'>;
}

/**
 * Feedback kiosks (optional: nothing on the alarm path waits for it). Each tap: a reason not
 * configured is refused; a tap within `mashWindowS` of the kiosk's previous one is button mashing,
 * filtered (counted per kiosk and hour, not stored as feedback); any other is stored, anonymous,
 * and may make an unhappy burst (follow-up.ts). Counted and filtered taps are thanked alike, so a
 * masher learns nothing from the kiosk. The call-staff key is a care-button `call` (rules/).
 */
export class FeedbackModule implements GatewayModule {
  readonly name = 'feedback';
  readonly optional = true;
  private readonly metrics: FeedbackMetrics;
  private readonly store: FeedbackStore;
  private readonly followUps: FollowUps;
  /** When each kiosk was last tapped (counted or filtered); from the stored taps after a restart. */
  private readonly lastTap = new Map<string, number>();
  private readonly rejectLog: RateLimitedLog;

  constructor(private readonly ctx: FeedbackDeps) {
    this.metrics = feedbackMetrics(ctx.metrics.registry);
    this.store = new FeedbackStore(ctx.db);
    this.followUps = new FollowUps(ctx, this.store, this.metrics);
    this.rejectLog = new RateLimitedLog(ctx.log, ctx.clock, ctx.config.log.rejectLogIntervalS * 1000);
  }

  start(): void {
    this.ctx.bus.on(this.name, 'device:tap', (e) => this.onTap(e));
    this.followUps.resume();
    this.configureKiosks();
  }

  /** Each kiosk's reasons to offer, retained: a kiosk that connects later finds them waiting. */
  private configureKiosks(): void {
    const reasons = this.ctx.config.feedback.reasons.map((r) => r.id);
    for (const d of this.ctx.register.allDevices()) {
      if (d.kind !== 'kiosk') continue;
      const message: DeviceConfiguration = { ts: this.ctx.clock.now(), reasons };
      this.ctx.mqtt.publish('deviceConfiguration', d.id, message, true);
    }
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
    this.followUps.stop();
  }

  private onTap({ source, message, receivedAt }: FromDevice<KioskTap>): void {
    const { feedback } = this.ctx.config;
    const kioskId = source.device.id;
    const reason = message.reason ?? null;
    if (reason !== null && !feedback.reasons.some((r) => r.id === reason)) {
      this.metrics.taps.inc({ result: 'rejected' });
      this.rejectLog.warn(
        `feedback-reason/${kioskId}`,
        { kiosk: kioskId, reason, configured: feedback.reasons.map((r) => r.id) },
        'kiosk tap refused: its reason is not in feedback.reasons (configure the kiosk with the list)',
      );
      return;
    }
    let counted = false;
    try {
      counted = this.storeTap(source, message, receivedAt, reason);
    } catch (err) {
      // A full or read-only card: the tap is lost, but whoever tapped is thanked all the same,
      // and a masher on a full card does not write an error line per tap onto it.
      this.metrics.taps.inc({ result: 'unstored' });
      this.rejectLog.warn(
        `feedback-unstored/${kioskId}`,
        { err, kiosk: kioskId },
        'could not store a kiosk tap; it is lost (is the storage full or read-only?)',
      );
    }
    this.thank(kioskId, message.seq);
    if (counted) this.followUps.check(source, receivedAt);
  }

  /** Stores the tap (true) or counts it as button mashing (false); throws when storage fails. */
  private storeTap(
    source: FromDevice<KioskTap>['source'],
    message: KioskTap,
    receivedAt: number,
    reason: string | null,
  ): boolean {
    const kioskId = source.device.id;
    const zoneId = source.zone?.id ?? 'unassigned';
    const last = this.lastTap.get(kioskId) ?? this.store.lastTapAt(kioskId);
    this.lastTap.set(kioskId, receivedAt);
    // A clock set back (receivedAt before the last tap) starts afresh rather than filters for long.
    const mashing =
      last !== undefined &&
      receivedAt >= last &&
      receivedAt - last < this.ctx.config.feedback.mashWindowS * 1000;
    if (mashing) {
      this.store.addFiltered(kioskId, zoneId, receivedAt);
      this.metrics.taps.inc({ result: 'filtered' });
      return false;
    }
    const tap = {
      kioskId,
      zoneId,
      roomId: source.room?.id ?? null,
      face: message.face,
      reason,
      at: receivedAt,
    };
    this.store.addTap(tap);
    this.metrics.taps.inc({ result: 'counted' });
    this.ctx.bus.emit('feedback:tap', {
      kioskId,
      zoneId,
      face: tap.face,
      reason,
      at: receivedAt,
      seq: message.seq,
    });
    return true;
  }

  private thank(kioskId: string, tapSeq: number): void {
    try {
      this.ctx.mqtt.publish('deviceThanks', kioskId, {
        ts: this.ctx.clock.now(),
        tapSeq,
        text: this.ctx.config.feedback.thanksText,
      } satisfies KioskThanks);
    } catch (err) {
      this.ctx.log.warn({ err, kiosk: kioskId }, 'could not thank a kiosk for its tap');
    }
  }
}
