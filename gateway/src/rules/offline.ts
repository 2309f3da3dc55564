import type { AlertKind, Priority, RecordedMessage } from '@careedge/edge';
import type { SiteDefinition } from '../register/site-file.js';
import type { SubjectKind } from './kind.js';

/**
 * The rules run offline, for `careedge replay` and `npm run evaluate`: the same engine and kinds
 * as the gateway's, on a clock that is the recording's own time, at full speed. What replay needs
 * from the engine is this and nothing more; rules/offline-engine.ts builds it.
 */
export interface OfflineRules {
  /**
   * One message, as ingest would hand it over at `msg.ts` (gateway time). Messages come in time
   * order (replay never goes back: an earlier one comes at the latest time seen); deadlines due
   * up to `msg.ts` fire before it is handled.
   */
  feed(msg: RecordedMessage): void;
  /** Fires every deadline due up to and including `ts` (the end of the recording). */
  advanceTo(ts: number): void;
  /** The alerts raised so far, in the order raised, each with what its rule did to it since. */
  alerts(): ReplayAlert[];
  /** Frees what the run holds (its in-memory database). */
  close(): void;
}

/** An alert the rules raised during a replay. Staff never act on it: nothing is dispatched. */
export interface ReplayAlert {
  /** Gateway time it was raised: the message or the deadline that raised it. */
  at: number;
  /** The rule's id in the rules file. */
  ruleId: string;
  /** The rule's kind (`instant`, `vital-threshold`, `heartbeat-missed`, …). */
  ruleKind: string;
  alertKind: AlertKind;
  /** The resident for wristband rules, the device for supervision rules. */
  subject: { kind: SubjectKind; id: string };
  /** Priority when raised. */
  priority: Priority;
  reason: string;
  /** Repeats that joined it (one open alert per subject and rule). */
  repeats: number;
  /** Later priority changes by its rule, in time order (a fall with no motion after it: up). */
  priorityChanges: { at: number; priority: Priority; reason: string }[];
  /** When its rule (or the device, for supervision) cleared the condition; null: it did not. */
  clearedAt: number | null;
}

export interface OfflineRulesOptions {
  /** The site the recording's devices belong to (residents, zones, time zone). */
  site: SiteDefinition;
  /** The rules file; undefined: the rules file the gateway ships and uses by default. */
  rulesFile: string | undefined;
  /** Gateway time the run starts at (its first message): the offline clock's start. */
  startTs: number;
}

export type OpenOfflineRules = (options: OfflineRulesOptions) => Promise<OfflineRules>;
