import {
  type ChannelKey,
  type ChannelMessage,
  channelKeys,
  channels,
  type DeviceEvent,
  decodeMessage,
  filterFor,
  isAlarmEventType,
  isUpChannel,
  parseTopic,
  type UpChannel,
} from '@careedge/edge';
import type { GatewayConfig } from '../config/schema.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { AlarmContext, JournalClaims } from '../journal/index.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';
import type { DeviceContext, DeviceKind } from '../register/types.js';
import { SequenceTracker } from './dedup.js';
import type { FromDevice, IngestEvents } from './events.js';
import { type IngestMetrics, ingestMetrics } from './metrics.js';
import type { UnrecordedAlarms } from './unrecorded.js';

/** Which device kinds may send which event types. */
const EVENTS_BY_KIND: Record<DeviceKind, ReadonlySet<DeviceEvent['type']>> = {
  wristband: new Set(['sos', 'fall', 'off-wrist']),
  'care-button': new Set(['call', 'presence', 'cancel']),
  // The kiosk's "call staff" key raises a call for the kiosk's room.
  kiosk: new Set(['call']),
  'base-station': new Set(),
};

/** Channels only some device kinds publish on; the others are open to every kind. */
const CHANNEL_KINDS: Partial<Record<UpChannel, DeviceKind>> = {
  deviceTelemetry: 'wristband',
  deviceLocation: 'wristband',
  deviceTap: 'kiosk',
};

/** The alarm in a payload the schema refused, if it is one: type plus whatever seq/ts it has. */
function salvageAlarm(payload: Buffer): DeviceEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { type, seq, ts } = v as Record<string, unknown>;
  if (!isAlarmEventType(type)) return undefined;
  return {
    type,
    seq: Number.isInteger(seq) && (seq as number) >= 0 ? (seq as number) : -1,
    ts: Number.isInteger(ts) ? (ts as number) : 0,
  };
}

/** The bus owner of the call rules: its failure means the alarm was not recorded. */
const RULES = 'rules';

const UP_CHANNELS = channelKeys.filter(isUpChannel);

type Rejection = { reason: string; detail: string };

/** The longest account of what is wrong that a refused reply is answered with. */
const MAX_PROBLEM = 300;

/**
 * The front door for everything devices and handsets send: validate → de-duplicate → look up
 * in the register (enrich with resident, room, zone) → publish on the bus for the rules.
 * A bad message is rejected with a reason, counted and logged (rate-limited); it never throws
 * past this point, so one broken device cannot delay or stop anybody else's alarm.
 */
export class Ingest implements GatewayModule {
  readonly name = 'ingest';
  private readonly sequences = new SequenceTracker();
  private stopped = false;
  private readonly rejectLog: RateLimitedLog;
  private readonly metrics: IngestMetrics;

  /**
   * `journal`: alarms the broker wrote ahead, settled here or in the commit of their alert;
   * `unrecorded`: sends alarms that could not be stored from memory (see unrecorded.ts).
   */
  constructor(
    private readonly ctx: {
      config: Pick<GatewayConfig, 'log'>;
      siteId: string;
      clock: Clock;
      log: Logger;
      metrics: Metrics;
      bus: EventBus<IngestEvents>;
      register: SiteRegister;
      mqtt: Pick<MqttLink, 'onMessage' | 'subscribe'>;
    },
    private readonly journal?: JournalClaims,
    private readonly unrecorded?: UnrecordedAlarms,
  ) {
    this.metrics = ingestMetrics(ctx.metrics.registry);
    this.rejectLog = new RateLimitedLog(ctx.log, ctx.clock, ctx.config.log.rejectLogIntervalS * 1000);
  }

  async start(): Promise<void> {
    this.ctx.mqtt.onMessage((topic, payload) => this.handle(topic, payload));
    await this.ctx.mqtt.subscribe(UP_CHANNELS.map((k) => filterFor(k, this.ctx.siteId)));
    this.replayJournal();
  }

  /**
   * Alarms acknowledged to their device before a crash but never settled (no alert committed
   * for them) are handled now, oldest first, as if they had just arrived. Done after subscribing,
   * so an alarm journaled while ingest was not yet listening is not missed either; one that also
   * arrives live is then a retransmission to the sequence check.
   */
  private replayJournal(): void {
    const backlog = this.journal?.unsettled() ?? [];
    if (backlog.length === 0) return;
    this.ctx.log.warn(
      { count: backlog.length },
      'handling alarms from the journal that a restart interrupted',
    );
    for (const entry of backlog) this.handle(entry.topic, entry.payload, entry.context);
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * A message that arrived by another way than MQTT (a serial base station, a GPIO pin), given
   * the topic and JSON payload it would have had on MQTT: it takes exactly the MQTT path from
   * here (validation, de-duplication, register, rules). An alarm must be written to the journal
   * (`JournalWriter`) before its sender is told it arrived, as the broker does before its PUBACK.
   */
  receive(topic: string, payload: Buffer): void {
    this.handle(topic, payload);
  }

  /** Handles one MQTT message from the link. */
  private handle(topic: string, payload: Buffer, pressedFor?: AlarmContext): void {
    const parsed = parseTopic(topic);
    if (!parsed || !isUpChannel(parsed.channel)) return; // our own or foreign traffic
    const { id } = parsed;
    const channel = parsed.channel;
    // Only alarms are journaled, and they travel on deviceEvent: nothing else pays for the lookup.
    const settle = channel === 'deviceEvent' ? this.journal?.claim(topic, payload) : undefined;
    try {
      const rejection =
        parsed.siteId === this.ctx.siteId
          ? this.accept(channel, id, payload, settle, pressedFor)
          : { reason: 'wrong-site', detail: `this gateway serves site "${this.ctx.siteId}"` };
      if (rejection) {
        this.settleAlone(settle); // no alert will settle it
        this.reject(channel, id, topic, rejection);
        if (channel === 'staffReply' && rejection.reason === 'invalid-payload')
          this.refuseReply(id, payload, rejection.detail);
      }
    } catch (err) {
      this.metrics.ingestMessages.inc({ channel, result: 'error' });
      this.ctx.log.error({ err, topic }, 'internal error while handling a message');
    }
  }

  private accept(
    channel: UpChannel,
    id: string,
    payload: Buffer,
    settle?: () => void,
    pressedFor?: AlarmContext,
  ): Rejection | undefined {
    const { register, bus, clock } = this.ctx;
    const metrics = this.metrics;
    const decoded = decodeMessage(channel, payload);
    // Problems that do not stop an alarm: an SOS, fall or call the schema refuses is still one.
    const flaws: string[] = [];
    let received: ChannelMessage<UpChannel>;
    if (decoded.ok) {
      received = decoded.value;
    } else {
      const alarm = channel === 'deviceEvent' ? salvageAlarm(payload) : undefined;
      if (!alarm) return { reason: 'invalid-payload', detail: decoded.errors.join('; ') };
      received = { channel: 'deviceEvent', payload: alarm };
      flaws.push(...decoded.errors);
    }
    const message = received.payload;
    const type = received.channel === 'deviceEvent' ? received.payload.type : undefined;
    const party = channels[channel].party;

    const current = party === 'device' ? register.deviceContext(id) : undefined;
    const device = current && pressedFor ? this.asPressed(current, pressedFor) : current;
    if (party === 'device' && !device)
      return { reason: 'unknown-device', detail: `no device "${id}" in the site register` };
    if (party === 'staff' && !register.staff(id))
      return { reason: 'unknown-staff', detail: `no staff member "${id}"` };
    if (device) {
      const kind = device.device.kind;
      const only = CHANNEL_KINDS[channel];
      if (only !== undefined && kind !== only) {
        const what = channels[channel].leaf;
        return { reason: 'wrong-kind', detail: `${what} messages come from a ${only}; ${id} is a ${kind}` };
      }
      if (type !== undefined && !EVENTS_BY_KIND[kind].has(type)) {
        const problem = `a ${kind} does not send "${type}" events`;
        // A misregistered device's alarm still goes to a person; anything else is refused.
        if (!isAlarmEventType(type)) return { reason: 'wrong-kind', detail: problem };
        flaws.push(problem);
      }
    }

    // Retained status (and its last will) is sequenced apart from the data stream it may overtake.
    const stream = channel === 'deviceStatus' || channel === 'staffStatus' ? 'status' : 'data';
    const verdict =
      message.seq < 0 // a salvaged alarm without a usable seq: nothing to de-duplicate by
        ? ({ kind: 'new', missing: 0 } as const)
        : this.sequences.check(`${party}/${id}/${stream}`, message.seq, message.ts, clock.now());
    // An alarm is never dropped as a duplicate: a band whose clock resets at power-up repeats
    // (seq, ts) pairs. It goes on marked as a likely retransmission and only joins its open alert.
    // Nor is presence: setting it twice changes nothing, while dropping it turns the carer's call
    // for help into a plain call to herself. (A reset stays droppable: a stale one could withdraw
    // a newer call.)
    const neverDropped = isAlarmEventType(type) || type === 'presence';
    if (verdict.kind === 'duplicate') {
      metrics.ingestMessages.inc({ channel, result: 'duplicate' });
      if (!neverDropped) {
        this.settleAlone(settle);
        return undefined;
      }
    }
    if (verdict.kind === 'new' && verdict.missing > 0) {
      metrics.sequenceGaps.inc({ channel }, verdict.missing);
      this.ctx.log.debug({ sender: id, missing: verdict.missing }, 'sequence gap');
    }
    if (verdict.kind === 'duplicate') {
      // counted above
    } else if (flaws.length > 0) {
      metrics.ingestMessages.inc({ channel, result: 'accepted-with-errors' });
      this.rejectLog.warn(
        `alarm-with-errors/${id}`,
        { device: id, type, problems: flaws },
        'alarm accepted although the message is not valid: fix the device or its register entry',
      );
    } else {
      metrics.ingestMessages.inc({ channel, result: 'accepted' });
    }

    const receivedAt = clock.now();
    switch (received.channel) {
      case 'staffReply':
        bus.emit('staff:reply', { staffId: id, reply: received.payload, receivedAt });
        break;
      case 'staffStatus':
        bus.emit('staff:status', { staffId: id, state: received.payload.state, receivedAt });
        break;
      case 'deviceEvent':
        this.deliverEvent({
          source: device!,
          message: received.payload,
          receivedAt,
          ...(verdict.kind === 'duplicate' ? { retransmission: true } : {}),
          ...(settle ? { settle } : {}),
        });
        break;
      case 'deviceTelemetry':
        bus.emit('device:telemetry', { source: device!, message: received.payload, receivedAt });
        break;
      case 'deviceHeartbeat':
        bus.emit('device:heartbeat', { source: device!, message: received.payload, receivedAt });
        break;
      case 'deviceStatus':
        bus.emit('device:status', { source: device!, message: received.payload, receivedAt });
        break;
      case 'deviceTap':
        bus.emit('device:tap', { source: device!, message: received.payload, receivedAt });
        break;
      case 'deviceLocation': {
        const { roomId, zoneId } = received.payload;
        const unknown = this.unknownPlace(roomId, zoneId);
        if (unknown) return { reason: 'unknown-place', detail: unknown };
        bus.emit('device:location', { source: device!, message: received.payload, receivedAt });
        break;
      }
    }
    return undefined;
  }

  /**
   * Hands a device event to its listeners (the rules, supervision). A listener whose handling
   * failed (say SQLite could not write the alert) gets the event again with a growing delay, and
   * only that listener: the device has its PUBACK and will not resend, so dropping the event would
   * lose the alarm, and handing it to everyone again would raise it twice.
   */
  private deliverEvent(event: FromDevice<DeviceEvent>): void {
    // Rules, the alert commit and the dispatch run synchronously inside emit(): time them all.
    const started = performance.now();
    const failed = this.ctx.bus.emit('device:event', event);
    this.metrics.eventProcessing.observe((performance.now() - started) / 1000);
    for (const { owner, err } of failed) {
      // The rules could not record it: retrying alone would keep an alarm from everyone until
      // storage recovers, so it also goes out from memory now.
      if (owner === RULES) this.unrecorded?.failed(event, err);
      this.retry(owner, event, 1);
    }
  }

  private retry(owner: string, event: FromDevice<DeviceEvent>, attempt: number): void {
    if (this.stopped) return;
    const delay = Math.min(attempt, 10) * 1000;
    this.metrics.ingestMessages.inc({ channel: 'deviceEvent', result: 'retried' });
    this.ctx.log.error(
      { device: event.source.device.id, type: event.message.type, owner, attempt, retryInMs: delay },
      'handling a device event failed; it is kept and tried again',
    );
    this.ctx.clock.setTimeout(() => {
      if (this.stopped) return;
      if (!this.ctx.bus.deliver(owner, 'device:event', event)) this.retry(owner, event, attempt + 1);
      else if (owner === RULES) this.unrecorded?.recorded(event);
    }, delay);
  }

  /**
   * A replayed alarm is for whom and where it was pressed, not for whoever the device belongs to
   * after the restart (site-file edits take effect then). What the register no longer knows falls
   * back to the device's current place rather than to nobody.
   */
  private asPressed(current: DeviceContext, was: AlarmContext): DeviceContext {
    const { register } = this.ctx;
    const resident = was.residentId ? register.resident(was.residentId) : undefined;
    const room = was.roomId ? register.room(was.roomId) : undefined;
    const zone = was.zoneId ? register.zone(was.zoneId) : undefined;
    if (resident?.id !== current.resident?.id || room?.id !== current.room?.id) {
      this.ctx.log.warn(
        {
          device: current.device.id,
          pressedFor: was,
          now: { resident: current.resident?.id, room: current.room?.id },
        },
        'a journaled alarm is raised for whom it was pressed, though the site file has changed since',
      );
    }
    return {
      device: current.device,
      ...((resident ?? current.resident) ? { resident: (resident ?? current.resident)! } : {}),
      ...((room ?? current.room) ? { room: (room ?? current.room)! } : {}),
      ...((zone ?? current.zone) ? { zone: (zone ?? current.zone)! } : {}),
    };
  }

  /** Why a location report's place is not one of the site's, if it is not. */
  private unknownPlace(roomId: string | undefined, zoneId: string | undefined): string | undefined {
    const { register } = this.ctx;
    if (roomId === undefined && zoneId === undefined) return 'a location report names a roomId or a zoneId';
    if (roomId !== undefined && !register.room(roomId)) return `no room "${roomId}" in the site register`;
    if (zoneId !== undefined && !register.zone(zoneId)) return `no zone "${zoneId}" in the site register`;
    return undefined;
  }

  /** Settles a journaled alarm that no alert will settle, in a commit of its own. */
  private settleAlone(settle: (() => void) | undefined): void {
    try {
      settle?.();
    } catch (err) {
      // Only costs a second look at the next start; the message itself is dealt with.
      this.ctx.log.error({ err }, 'could not mark a journaled alarm as handled');
    }
  }

  /**
   * A handset waits for the answer to every reply: one the schema refused is answered too (by
   * whoever answers replies), when it has a seq to match the answer to.
   */
  private refuseReply(staffId: string, payload: Buffer, problem: string): void {
    let v: unknown;
    try {
      v = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const { seq, action, alertId } = v as Record<string, unknown>;
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) return;
    this.ctx.bus.emit('staff:reply-refused', {
      staffId,
      seq: seq as number,
      action: typeof action === 'string' ? action : '',
      alertId: Number.isSafeInteger(alertId) && (alertId as number) >= 0 ? (alertId as number) : 0,
      // A reply full of unknown fields has an error per field: the answer says enough to fix it.
      problem: problem.length > MAX_PROBLEM ? `${problem.slice(0, MAX_PROBLEM - 1)}…` : problem,
    });
  }

  private reject(channel: ChannelKey, id: string, topic: string, r: Rejection): void {
    const result =
      r.reason === 'unknown-device' || r.reason === 'unknown-staff' ? 'unknown-device' : 'rejected';
    this.metrics.ingestMessages.inc({ channel, result });
    this.metrics.ingestRejections.inc({ channel, reason: r.reason });
    this.rejectLog.warn(
      `${r.reason}/${id}`,
      { topic, reason: r.reason, problem: r.detail },
      'message rejected',
    );
  }
}
