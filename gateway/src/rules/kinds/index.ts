import type { RuleKind } from '../kind.js';
import { batteryLow } from './battery-low.js';
import { fallFollowup } from './fall-followup.js';
import { heartbeatMissed } from './heartbeat-missed.js';
import { inactivity } from './inactivity.js';
import { instant } from './instant.js';
import { nightWandering } from './night-wandering.js';
import { notUp } from './not-up.js';
import { notWorn } from './not-worn.js';
import { vitalThreshold } from './vital-threshold.js';

// biome-ignore lint/suspicious/noExplicitAny: a registry holds kinds of every params and state type
export type AnyRuleKind = RuleKind<any, any>;

/**
 * Every rule kind the rules file may name (`kind:`), in the order the reference lists them. A new
 * kind is one file in this folder and one line here: the rules file's schema, its JSON Schema and
 * docs/rules.md follow from this list.
 */
export const RULE_KINDS: readonly AnyRuleKind[] = [
  instant,
  heartbeatMissed,
  vitalThreshold,
  batteryLow,
  notWorn,
  fallFollowup,
  inactivity,
  notUp,
  nightWandering,
];

/**
 * Kinds the live gateway runs through their own modules on the alarm path (call-rules.ts,
 * supervision.ts) rather than through the engine; replay steps them like any other kind.
 */
export const BUILT_IN_KINDS: ReadonlySet<string> = new Set([instant.name, heartbeatMissed.name]);
