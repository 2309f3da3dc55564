import type { Dispatch } from '@careedge/edge';
import { build, type Histogram } from 'hdr-histogram-js';

const SLOWEST_KEPT = 5;

/**
 * Where one alarm's time went, from wall-clock stamps (ms resolution; the gateway and the
 * generator share the machine's clock): band publish → alert raised in the gateway (broker, ingest,
 * rules, SQLite) → dispatch made → dispatch at the handset (broker, this process's event loop).
 */
export interface AlarmBreakdown {
  alertId: number;
  totalMs: number;
  toAlertMs: number;
  toDispatchMs: number;
  toHandsetMs: number;
}

/**
 * Alarm latency: from the moment a band publishes its SOS to the moment a handset receives the
 * first dispatch of the alert it raised. The bench site gives every band its own resident, so a
 * dispatch's `residentId` names the band; the first sighting (below) of an SOS alert
 * answers the oldest SOS still waiting for that resident.
 *
 * Values are recorded in microseconds: alarm latencies on one machine are a few milliseconds, and
 * HdrHistogram keeps 3 significant digits at any magnitude with a fixed memory footprint —
 * a sorted array of samples would grow with the run and lose the tail to averaging.
 */
/**
 * Dispatches by which a handset can first see an alert: `new`, or when the handset missed it
 * (a reconnect after a drop: `resend`; the level asked was not listening: `escalation`). Then the
 * alarm is late, not lost, and its latency says how late.
 */
const FIRST_SIGHTINGS: ReadonlySet<Dispatch['reason']> = new Set(['new', 'update', 'resend', 'escalation']);

export class AlarmLatency {
  readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  /** SOS sent and not yet dispatched, per resident, oldest first. */
  private readonly pending = new Map<string, { atMs: number; epochMs: number }[]>();
  /** The slowest alarms with where their time went, slowest first. */
  readonly slowest: AlarmBreakdown[] = [];
  /** Alerts whose first dispatch was seen and not yet closed → resident. */
  private readonly open = new Map<number, string>();
  private readonly seen = new Set<number>();
  sosSent = 0;
  matched = 0;
  /** Dispatches of an alert already matched (more recipients, escalations, reminders). */
  repeats = 0;
  /** First dispatches that no SOS of ours explains (e.g. a resident without a pending SOS). */
  unexplained = 0;

  /**
   * A band published an SOS for `residentId` at `atMs` (a monotonic clock, e.g. performance.now);
   * `epochMs` is the wall clock, comparable with the gateway's timestamps on the same machine.
   */
  sent(residentId: string, atMs: number, epochMs = 0): void {
    this.sosSent++;
    const queue = this.pending.get(residentId);
    if (queue) queue.push({ atMs, epochMs });
    else this.pending.set(residentId, [{ atMs, epochMs }]);
  }

  /** A handset received `d` at `atMs`; returns the latency in ms when this answered an SOS. */
  dispatched(d: Dispatch, atMs: number, epochMs = 0): number | undefined {
    if (this.seen.has(d.alertId)) {
      this.repeats++;
      return undefined;
    }
    this.seen.add(d.alertId);
    const resident = d.residentId;
    const queue = resident ? this.pending.get(resident) : undefined;
    // Only an SOS alert answers an SOS: the resident's device-offline alert (a band that dropped with
    // its SOS in flight) would otherwise count a lost alarm as delivered.
    if (!resident || !queue || queue.length === 0 || d.kind !== 'sos' || !FIRST_SIGHTINGS.has(d.reason)) {
      this.unexplained++;
      return undefined;
    }
    const sent = queue.shift()!;
    if (queue.length === 0) this.pending.delete(resident);
    this.open.set(d.alertId, resident);
    this.matched++;
    const ms = atMs - sent.atMs;
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.keepIfSlow({
      alertId: d.alertId,
      totalMs: ms,
      toAlertMs: d.raisedAt - sent.epochMs,
      toDispatchMs: d.ts - d.raisedAt,
      toHandsetMs: epochMs - d.ts,
    });
    return ms;
  }

  private keepIfSlow(b: AlarmBreakdown): void {
    if (this.slowest.length >= SLOWEST_KEPT && b.totalMs <= this.slowest.at(-1)!.totalMs) return;
    this.slowest.push(b);
    this.slowest.sort((x, y) => y.totalMs - x.totalMs);
    this.slowest.length = Math.min(this.slowest.length, SLOWEST_KEPT);
  }

  /** The alert ended (resolved or cancelled): its resident may raise a new one. */
  closed(alertId: number): void {
    this.open.delete(alertId);
  }

  /** A band with an SOS in flight or an open alert: a new SOS would join it, not raise a new alert. */
  busy(residentId: string): boolean {
    return this.pending.has(residentId) || [...this.open.values()].includes(residentId);
  }

  /** SOS that never reached a handset: lost alarms, when counted after a drain. */
  get waiting(): number {
    let n = 0;
    for (const q of this.pending.values()) n += q.length;
    return n;
  }

  get openAlerts(): number {
    return this.open.size;
  }

  /** Percentile in milliseconds (0 when nothing was recorded). */
  percentileMs(p: number): number {
    return this.histogram.totalCount === 0 ? 0 : this.histogram.getValueAtPercentile(p) / 1000;
  }

  get maxMs(): number {
    return this.histogram.totalCount === 0 ? 0 : this.histogram.maxValue / 1000;
  }

  /** Forgets recorded latencies (after a warm-up); pending and open alerts are kept. */
  resetHistogram(): void {
    this.histogram.reset();
  }
}
