import { type DeviceStatus, FACE_SCORE, type WristbandTelemetry } from '@careedge/edge';
import type { AlertChange } from '../alerts/events.js';
import type { Pseudonyms } from '../core/pseudonym.js';
import type { CountedTap } from '../feedback/events.js';
import type { FromDevice } from '../ingest/events.js';
import type { DeviceContext } from '../register/types.js';
import { encodeAfterHead, encodeLine, LATEST_MS, lineHead, nanos } from './line-protocol.js';
import { classOf, type MeasurementName, type PointClass } from './measurements.js';

export type PointSink = (cls: PointClass, line: string) => void;

const seconds = (from: number, to: number | null) => (to === null ? undefined : (to - from) / 1000);

/**
 * Turns the gateway's events into line-protocol points (cheap string work on the main thread; all
 * I/O is the outbox worker's). Every point's timestamp is fixed here and stored with it, and is
 * unique per series, so a batch sent twice overwrites itself in InfluxDB instead of doubling.
 */
export class PointEncoder {
  /** When each device's status was last forwarded from its telemetry (gateway clock). */
  private readonly statusSentAt = new Map<string, number>();
  private readonly heads = new WeakMap<DeviceContext, { vitals: string; status: string }>();

  constructor(
    private readonly o: {
      siteId: string;
      keys: Pseudonyms;
      now: () => number;
      deviceStatusEveryMs: number;
      sink: PointSink;
      /** A point withheld on purpose (no consent), or that InfluxDB could not store (out of range). */
      withheld: (reason: 'no-consent' | 'out-of-range') => void;
    },
  ) {}

  telemetry({ source, message: m, receivedAt }: FromDevice<WristbandTelemetry>): void {
    if (!this.storable(m.ts)) return;
    const ts = nanos(m.ts, m.seq);
    const heads = this.headsOf(source);
    if (source.resident?.forwardVitals === false) this.o.withheld('no-consent');
    else
      this.emit(
        'wristband_vitals',
        encodeAfterHead(
          heads.vitals,
          'wristband_vitals',
          { heart_rate_bpm: m.heartRateBpm, activity: m.activity, steps: m.steps },
          ts,
        ),
      );
    const id = source.device.id;
    const last = this.statusSentAt.get(id);
    // A clock stepped back (receivedAt before the last one) ends the interval, not prolongs it.
    if (last !== undefined && receivedAt >= last && receivedAt - last < this.o.deviceStatusEveryMs) return;
    this.statusSentAt.set(id, receivedAt);
    this.emit(
      'device_status',
      encodeAfterHead(
        heads.status,
        'device_status',
        { battery_pct: m.batteryPct, rssi_dbm: m.rssiDbm, worn: m.worn },
        ts,
      ),
    );
  }

  /**
   * A device's line heads, made once per context: 20,000 readings a second would otherwise key,
   * escape and join the same tags 20,000 times. A site file reload makes new contexts, and so
   * new heads (a resident moved to another zone); the old ones go with their contexts.
   */
  private headsOf(source: DeviceContext): { vitals: string; status: string } {
    let heads = this.heads.get(source);
    if (!heads) {
      const tags = this.deviceTags(source);
      heads = {
        vitals: lineHead('wristband_vitals', {
          site: tags.site,
          zone: tags.zone,
          device_kind: tags.device_kind,
          resident: tags.resident,
        }),
        status: lineHead('device_status', tags),
      };
      this.heads.set(source, heads);
    }
    return heads;
  }

  status({ source, message: m }: FromDevice<DeviceStatus>): void {
    if (!this.storable(m.ts)) return;
    this.emit(
      'device_status',
      encodeLine(
        'device_status',
        this.deviceTags(source),
        { online: m.state === 'online' },
        nanos(m.ts, m.seq),
      ),
    );
  }

  alert({ alert: a, action, actor, auditId }: AlertChange): void {
    // The bus announces a change right after its commit, so now is its time (a change that is only
    // an audit entry, such as a reminder, leaves the alert's updatedAt as it was). The audit
    // entry's id in the nanoseconds makes each change its own point (without one, the alert id
    // keeps apart the changes of different alerts).
    const ts = nanos(this.o.now(), (auditId ?? a.id) % 1_000_000);
    const { siteId, keys } = this.o;
    const closed = action === 'resolved' || action === 'cancelled';
    this.emit(
      'alert_event',
      encodeLine(
        'alert_event',
        {
          site: siteId,
          zone: a.zoneId,
          kind: a.kind,
          priority: a.priority,
          action,
          resident: a.residentId === null ? undefined : keys.key('resident', a.residentId),
          rule: a.ruleId ?? undefined,
          rules_version: a.rulesVersion ?? undefined,
        },
        {
          alert_id: a.id,
          level: a.level,
          count: a.count,
          accept_s: seconds(a.raisedAt, a.acknowledgedAt),
          arrive_s: seconds(a.raisedAt, a.attendedAt),
          resolve_s: closed ? seconds(a.raisedAt, a.closedAt) : undefined,
        },
        ts,
      ),
    );
    if (action === 'acknowledged' && actor.kind === 'staff')
      this.emit(
        'staff_workload',
        encodeLine(
          'staff_workload',
          { site: siteId, zone: a.zoneId, staff: keys.key('staff', actor.id), priority: a.priority },
          { calls: 1 },
          ts,
        ),
      );
  }

  feedback(t: CountedTap): void {
    this.emit(
      'feedback',
      encodeLine(
        'feedback',
        {
          site: this.o.siteId,
          zone: t.zoneId,
          kiosk: t.kioskId,
          face: t.face,
          reason: t.reason ?? undefined,
        },
        { score: FACE_SCORE[t.face] },
        nanos(t.at, t.seq % 1_000_000),
      ),
    );
  }

  health(at: number, fields: Parameters<typeof encodeLine<'gateway_health'>>[2]): void {
    this.emit('gateway_health', encodeLine('gateway_health', { site: this.o.siteId }, fields, nanos(at, 0)));
  }

  /** A device's clock past InfluxDB's last instant would make a line InfluxDB refuses. */
  private storable(ts: number): boolean {
    if (ts <= LATEST_MS) return true;
    this.o.withheld('out-of-range');
    return false;
  }

  private deviceTags(source: DeviceContext) {
    const { siteId, keys } = this.o;
    return {
      site: siteId,
      zone: source.zone?.id,
      device_kind: source.device.kind,
      device: keys.key('device', source.device.id),
      resident: source.resident ? keys.key('resident', source.resident.id) : undefined,
    };
  }

  private emit(m: MeasurementName, line: string | undefined): void {
    if (line !== undefined) this.o.sink(classOf(m), line);
  }
}
