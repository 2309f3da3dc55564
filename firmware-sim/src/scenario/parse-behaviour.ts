import { AlertKind, DispatchReason, literalsOf, Outcome, Priority } from '@careedge/edge';
import type { HandsetBehaviour, HandsetPolicy, HandsetRule } from '../devices/handset-policy.js';
import { parseDuration } from './duration.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

const OUTCOMES: readonly string[] = literalsOf(Outcome);
const MATCH_KEYS: Record<string, readonly (string | number)[] | 'string' | 'integer'> = {
  kind: literalsOf(AlertKind),
  reason: literalsOf(DispatchReason),
  priority: literalsOf(Priority),
  level: 'integer',
  residentId: 'string',
  room: 'string',
};
const POLICY_KEYS: Record<string, string[]> = {
  accept: ['ackAfter', 'arriveAfter', 'resolveAfter', 'outcome'],
  decline: ['after', 'reason'],
  ignore: [],
};

/**
 * A delay written either as a duration (`ackAfter: 1.5s`, for YAML) or in milliseconds
 * (`ackAfterMs: 1500`, the TS policy field); defaults to `def` when neither is given.
 */
function delay(raw: Raw, key: string, where: string, problems: string[], def: number): number {
  const ms = raw[`${key}Ms`];
  if (ms !== undefined) {
    if (typeof ms === 'number' && ms >= 0) return ms;
    problems.push(`${where}.${key}Ms: must be a number of milliseconds ≥ 0`);
    return def;
  }
  if (raw[key] === undefined) return def;
  const d = parseDuration(raw[key]);
  if ('error' in d) {
    problems.push(`${where}.${key}: ${d.error}`);
    return def;
  }
  return d.ms;
}

function parsePolicy(raw: Raw, where: string, problems: string[]): HandsetPolicy | undefined {
  const mode = raw.mode;
  if (mode !== 'accept' && mode !== 'decline' && mode !== 'ignore') {
    problems.push(`${where}.mode: must be accept, decline or ignore (got ${JSON.stringify(mode)})`);
    return undefined;
  }
  const allowed = new Set(['mode', 'when', ...POLICY_KEYS[mode]!.flatMap((k) => [k, `${k}Ms`])]);
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) problems.push(`${where}.${key}: not a setting of mode ${mode}`);
  }
  switch (mode) {
    case 'ignore':
      return { mode };
    case 'decline':
      return {
        mode,
        afterMs: delay(raw, 'after', where, problems, 1000),
        ...(typeof raw.reason === 'string' ? { reason: raw.reason } : {}),
      };
    case 'accept': {
      const outcome = raw.outcome ?? 'assisted';
      if (typeof outcome !== 'string' || !OUTCOMES.includes(outcome)) {
        problems.push(`${where}.outcome: must be one of ${OUTCOMES.join(', ')}`);
      }
      return {
        mode,
        ackAfterMs: delay(raw, 'ackAfter', where, problems, 1000),
        arriveAfterMs: delay(raw, 'arriveAfter', where, problems, 2000),
        resolveAfterMs: delay(raw, 'resolveAfter', where, problems, 2000),
        outcome: outcome as Extract<HandsetPolicy, { mode: 'accept' }>['outcome'],
      };
    }
  }
}

function parseMatch(raw: unknown, where: string, problems: string[]): HandsetRule['when'] {
  if (!isObject(raw)) {
    problems.push(`${where}: must be a mapping like { kind: fall }`);
    return undefined;
  }
  for (const [key, value] of Object.entries(raw)) {
    const spec = MATCH_KEYS[key];
    if (!spec)
      problems.push(`${where}.${key}: cannot match on this (one of ${Object.keys(MATCH_KEYS).join(', ')})`);
    else if (
      spec === 'integer'
        ? !Number.isInteger(value)
        : spec === 'string'
          ? typeof value !== 'string'
          : !spec.includes(value as string)
    )
      problems.push(
        `${where}.${key}: ${Array.isArray(spec) ? `must be one of ${spec.join(', ')}` : `must be a ${spec}`}`,
      );
  }
  return raw as HandsetRule['when'];
}

/** A handset behaviour: one policy, or a list of rules (`when` + policy), first match wins. */
export function parseBehaviour(
  raw: unknown,
  where: string,
  problems: string[],
): HandsetBehaviour | undefined {
  if (isObject(raw)) {
    if (raw.when !== undefined) problems.push(`${where}.when: only rules in a list have a "when"`);
    return parsePolicy(raw, where, problems);
  }
  if (!Array.isArray(raw)) {
    problems.push(`${where}: must be a policy like { mode: accept } or a list of rules`);
    return undefined;
  }
  const rules: HandsetRule[] = [];
  raw.forEach((r: unknown, i: number) => {
    if (!isObject(r)) {
      problems.push(`${where}[${i}]: must be a mapping like { when: { kind: fall }, mode: ignore }`);
      return;
    }
    const policy = parsePolicy(r, `${where}[${i}]`, problems);
    const when = r.when === undefined ? undefined : parseMatch(r.when, `${where}[${i}].when`, problems);
    if (policy) rules.push(when ? { ...policy, when } : policy);
  });
  return rules;
}
