import { ALARM_EVENT_TYPES, type AlertKind } from '@careedge/edge';
import type { Alert } from '../alerts/model.js';
import type { DispatchHolding } from '../alerts/planning.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';

/** The storm's counters (careedge_alert_storms_total, careedge_alerts_held_back_total). */
export interface StormCounters {
  storms: { inc(): void };
  heldBack: { inc(labels: { priority: string }): void };
}

/**
 * A resident or a device asking for a person (SOS, fall, care-button and emergency calls): never
 * held, whatever priority the settings give it (the evaluation runs falls at medium). A storm is
 * of the rules' and supervision's alerts; a call for help must not wait for it to end.
 */
const CALLS: ReadonlySet<AlertKind> = new Set<AlertKind>([...ALARM_EVENT_TYPES, 'emergency-call']);

/**
 * Counts the raises of new alerts, from every source, in a sliding window on the gateway clock,
 * and says which dispatches wait: an alert storm (an access point dies and sixty bands go offline
 * at once) begins when `alerts` were raised within `windowS`. While it lasts, a high-priority
 * alert and a call (CALLS) are dispatched as always; another medium or low one is held back (dispatch/storm.ts summarises
 * it to the supervisor). It ends once fewer than half the limit were raised in the last window:
 * the gap between start and end keeps a storm that slows down from flapping on and off, which
 * would release and hold back alerts by turns.
 */
export class StormWatch implements DispatchHolding {
  /** Gateway times of the raises still in the window, oldest first (after prune()). */
  private raises: number[] = [];
  private storming = false;
  private timer: unknown;
  /** Called once the storm is over (dispatch/storm.ts releases what it held). */
  onEnd: () => void = () => {};

  constructor(
    private readonly config: Pick<GatewayConfig, 'rules'>,
    private readonly clock: Clock,
    private readonly counters: StormCounters,
  ) {}

  get active(): boolean {
    return this.storming;
  }

  holdBack(alert: Pick<Alert, 'kind' | 'priority'>, now: number): string | null {
    // The summary is the storm's own answer, not one more alert in it.
    if (alert.kind === 'alert-summary') return null;
    this.count(now);
    if (!this.storming && this.raises.length >= this.config.rules.storm.alerts) {
      this.storming = true;
      this.counters.storms.inc();
      this.scheduleEnd();
    }
    if (!this.storming || alert.priority === 'high' || CALLS.has(alert.kind)) return null;
    this.counters.heldBack.inc({ priority: alert.priority });
    return 'storm';
  }

  /**
   * After a restart: the raises still in the window (from the alerts table), and whether alerts
   * are still held (the storm they were held in goes on until the window says it is over).
   */
  restore(raisedAt: number[], held: boolean): void {
    this.raises = [...raisedAt].sort((a, b) => a - b);
    this.prune(this.clock.now());
    this.storming = held || this.raises.length >= this.config.rules.storm.alerts;
    if (this.storming) this.scheduleEnd();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private count(now: number): void {
    this.prune(now);
    this.raises.push(now);
  }

  /**
   * A raise leaves the window `windowS` after it. One "later" than now (the clock was stepped
   * back) leaves it too: a storm then ends early, and what it held goes out, rather than late.
   */
  private prune(now: number): void {
    const since = now - this.config.rules.storm.windowS * 1000;
    this.raises = this.raises.filter((at) => at > since && at <= now);
  }

  /** When enough of the window's raises have left it for the count to fall below half the limit. */
  private scheduleEnd(): void {
    this.stop();
    const below = Math.ceil(this.config.rules.storm.alerts / 2);
    const now = this.clock.now();
    const leaving = this.raises[this.raises.length - below];
    const at = leaving === undefined ? now : leaving + this.config.rules.storm.windowS * 1000;
    this.timer = this.clock.setTimeout(() => this.checkEnd(), Math.max(0, at - now));
  }

  private checkEnd(): void {
    this.timer = undefined;
    this.prune(this.clock.now());
    if (this.raises.length >= Math.ceil(this.config.rules.storm.alerts / 2)) {
      this.scheduleEnd();
      return;
    }
    this.storming = false;
    this.onEnd();
  }
}
