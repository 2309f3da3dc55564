import type { AlertKind, DeviceEvent, DeviceStatus, Heartbeat, WristbandTelemetry } from '@careedge/edge';
import type { TSchema } from '@sinclair/typebox';
import type { Priority } from '../alerts/model.js';

/**
 * The contract between the rules engine and its rule kinds (docs/design/anomaly-rules.md).
 *
 * A kind is a pure state machine: it never reads the clock, the bus or SQLite. The engine feeds
 * it one input at a time with the time it happened, stores its state per (subject, rule), wakes
 * it at the deadline it asked for, and turns its actions into alerts. So every kind is
 * unit-testable with plain numbers, and replay runs the very same code at full speed.
 */

/** One input to a rule instance. `at` is the gateway clock when it arrived (or the deadline). */
export type RuleInput =
  | { type: 'telemetry'; at: number; message: WristbandTelemetry }
  | { type: 'event'; at: number; message: DeviceEvent }
  | { type: 'heartbeat'; at: number; message: Heartbeat }
  | { type: 'status'; at: number; message: DeviceStatus }
  /** The deadline the kind asked for (`wakeAt`) has come. */
  | { type: 'tick'; at: number };

export type RuleInputType = RuleInput['type'];

/** Local wall-clock time at the site (its time zone), for time-of-day rules and baselines. */
export interface LocalTime {
  /** `YYYY-MM-DD` of the local day. */
  day: string;
  /** 0–23. */
  hour: number;
  /** Minutes since local midnight, 0–1439 (a daylight-saving day still counts by the wall clock). */
  minuteOfDay: number;
}

/** What the site file says about a subject that a rule may read (absent: not said). */
export interface SubjectAttributes {
  /** The resident is flagged at risk of wandering at night (site file `nightWanderingRisk`). */
  nightWanderingRisk?: boolean;
}

/** What the engine tells a kind besides the input. */
export interface StepContext {
  /** Converts a gateway time to the site's local time. */
  local(at: number): LocalTime;
  /**
   * The alert this instance raised and that is still open, if any; for a kind that declares
   * `follows`, the subject's open alert of that kind, whoever raised it. It is closed behind the
   * kind's back when staff resolve it: a kind must not assume its own last action is the truth.
   */
  openAlert: { id: number; priority: Priority; raisedAt: number } | null;
  /** The subject's attributes from the site register (absent in contexts that have none). */
  subject?: SubjectAttributes;
}

/** What a kind asks for. The engine applies alert hygiene (one open alert per subject and rule). */
export type RuleAction =
  /** Raise an alert, or update the open one (a repeat adds to its count, never a second alert). */
  | {
      type: 'raise';
      alertKind: AlertKind;
      priority: Priority;
      reason: string;
      detail?: Record<string, unknown>;
    }
  /** Change the open alert's priority (a fall followed by no motion: up; by motion and a cancel: down). Recorded. */
  | { type: 'set-priority'; priority: Priority; reason: string }
  /**
   * The condition is over. A low-priority alert nobody has accepted closes itself (recorded as
   * cleared by the rule, or by the device for supervision); a high-priority one stays latched until
   * a carer acknowledges it, and its audit trail notes that the condition cleared.
   */
  | { type: 'clear'; by: 'device' | 'rule'; reason: string };

export interface StepResult<S> {
  state: S;
  actions: RuleAction[];
  /** When to be woken with a `tick` (absolute gateway time), or null for no deadline. */
  wakeAt: number | null;
}

/** Who an instance watches: the resident for wristband rules, the device for supervision rules. */
export type SubjectKind = 'resident' | 'device';

export interface RuleKind<P, S> {
  /** The `kind:` of a rule in the rules file, e.g. `vital-threshold`. */
  readonly name: string;
  readonly subject: SubjectKind;
  /** Inputs the engine routes to it (ticks always are). */
  readonly inputs: readonly Exclude<RuleInputType, 'tick'>[];
  /**
   * Telemetry is given at most once per this many seconds per instance: a kind that judges minutes
   * (activity rhythms) need not step at every reading of a band sending every second, and 5,000
   * bands × a dozen rules is where the gateway's time would go. Events, heartbeats and ticks always
   * come; so does a reading from a clock set back.
   */
  readonly sampleS?: number;
  /**
   * The kind follows up alerts of this kind raised by another rule (fall-followup: the instant
   * rule's `fall`): `ctx.openAlert` is the subject's open alert of this kind, and `set-priority`
   * changes that alert (recorded on its audit trail).
   */
  readonly follows?: AlertKind;
  /**
   * Event types a resident kind also takes from the devices of the resident's room that belong
   * to no resident (a care button's `cancel`: a wristband has no cancel key). The engine hands
   * such an event to the instance of every resident of the room.
   */
  readonly roomEvents?: readonly DeviceEvent['type'][];
  /** TypeBox schema of the kind's parameters in the rules file (with defaults and descriptions). */
  readonly params: TSchema;
  /**
   * State must be plain JSON (numbers, strings, booleans, arrays, objects): the engine persists it
   * in SQLite and restores it after a restart mid-window.
   */
  initial(params: P, at: number): S;
  step(state: S, input: RuleInput, params: P, ctx: StepContext): StepResult<S>;
}
