import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dottedPath, formatSchemaErrors, type Priority } from '@careedge/edge';
import { Value } from '@sinclair/typebox/value';
import { Ajv } from 'ajv';
import { readYaml } from '../core/yaml-lines.js';
import { rulesFileSchema } from './file-schema.js';
import { type AnyRuleKind, RULE_KINDS } from './kinds/index.js';

/**
 * The rules file that ships, used when `rules.file` is empty: gateway/rules.example.yaml beside
 * the sources, or dist/rules.example.yaml beside the bundle (dist/gateway/main.js), which is one
 * folder less deep than this module.
 */
export const EXAMPLE_RULES = ((source: string) =>
  existsSync(source) ? source : fileURLToPath(new URL('../rules.example.yaml', import.meta.url)))(
  fileURLToPath(new URL('../../rules.example.yaml', import.meta.url)),
);

export interface RuleScope {
  zones?: string[];
  residents?: string[];
  /** Local minutes of day [from, to); from > to runs past midnight. */
  hours?: { from: number; to: number; text: string };
}

export interface Rule<P = Record<string, unknown>> {
  id: string;
  kind: string;
  priority?: Priority;
  scope?: RuleScope;
  /** With every default filled in. */
  params: P;
  /** Per resident: only the params that differ. */
  overrides: Record<string, Partial<P>>;
}

/** A loaded, valid rules file. */
export interface RuleSet {
  file: string;
  /** Content hash (short sha256): recorded on every alert, so KPIs before and after a change compare. */
  version: string;
  rules: Rule[];
}

/** The rules file is not valid; `problems` are `file:line: path: message` lines. */
export class RulesFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: the rules file is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RulesFileError';
  }
}

export interface RulesFileOptions {
  kinds?: readonly AnyRuleKind[];
  /** Params per kind that the file's params are laid over (the older config keys), before the schema's defaults. */
  defaults?: Record<string, Record<string, unknown>>;
}

/** Kinds the gateway cannot run without: the file must hold exactly one rule of each, unscoped. */
const REQUIRED_ONCE: Record<string, string> = {
  instant: 'calls (SOS, fall, care buttons) cannot be switched off',
  'heartbeat-missed': 'device supervision cannot be switched off',
};

const MAX_RULES_FILE_KB = 1024;

const compiled = new WeakMap<readonly AnyRuleKind[], ReturnType<Ajv['compile']>>();
function validatorFor(kinds: readonly AnyRuleKind[]) {
  let v = compiled.get(kinds);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
    v = ajv.compile(rulesFileSchema(kinds));
    compiled.set(kinds, v);
  }
  return v;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMapping(v) && isMapping(b) ? deepMerge(b, v) : v;
  }
  return out;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Parses and checks a rules file's text; throws one RulesFileError listing every problem. */
export function parseRulesFile(text: string, fileName = 'rules file', opts: RulesFileOptions = {}): RuleSet {
  const kinds = opts.kinds ?? RULE_KINDS;
  const read = readYaml(text);
  if (!read.ok)
    throw new RulesFileError(
      fileName,
      read.problems.map((p) => `${fileName}: ${p}`),
    );
  const { value, lineOf } = read;
  const where = (pointer: string) =>
    `${fileName}:${lineOf(pointer) ?? 1}: ${dottedPath('(top level)')(pointer)}`;
  // The older config keys are the defaults of their kinds: laid under the file's params.
  if (isMapping(value) && Array.isArray(value.rules)) {
    for (const r of value.rules) {
      const d = isMapping(r) && typeof r.kind === 'string' ? opts.defaults?.[r.kind] : undefined;
      if (d && (r.params === undefined || isMapping(r.params))) r.params = deepMerge(d, r.params ?? {});
    }
  }
  const validate = validatorFor(kinds);
  if (!validate(value)) {
    // `if` fails for every kind the rule is not: noise, the `then` errors say what is wrong.
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
    throw new RulesFileError(
      fileName,
      inLineOrder(formatSchemaErrors(errors, { path: where, unknownProperty: 'unknown key' })),
    );
  }
  const doc = value as { rules: RawRule[] };
  const problems = crossCheck(doc.rules as RawRule[], kinds, where);
  if (problems.length > 0) throw new RulesFileError(fileName, problems);
  const rules = doc.rules.map((r): Rule => {
    const kind = kinds.find((k) => k.name === r.kind)!;
    const { hours, ...scope } = r.scope ?? {};
    return {
      id: r.id,
      kind: r.kind,
      ...(r.priority ? { priority: r.priority } : {}),
      ...(r.scope
        ? {
            scope: {
              ...scope,
              ...(hours ? { hours: { from: minutes(hours), to: minutes(hours.slice(6)), text: hours } } : {}),
            },
          }
        : {}),
      params: Value.Default(kind.params, r.params ?? {}) as Record<string, unknown>,
      overrides: (r.overrides ?? {}) as Rule['overrides'],
    };
  });
  const version = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { file: fileName, version, rules };
}

/** `file:line: …` problems sorted by line (stable), so an administrator reads the file top to bottom. */
function inLineOrder(problems: string[]): string[] {
  const line = (p: string) => Number(/^[^:]*:(\d+):/.exec(p)?.[1] ?? 0);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => line(a.p) - line(b.p) || a.i - b.i)
    .map((x) => x.p);
}

interface RawRule {
  id: string;
  kind: string;
  priority?: Priority;
  scope?: { zones?: string[]; residents?: string[]; hours?: string };
  params?: Record<string, unknown>;
  overrides?: Record<string, unknown>;
}

/** What the schema cannot say: unique ids, the kinds that must be there once and everywhere. */
function crossCheck(
  rules: RawRule[],
  kinds: readonly AnyRuleKind[],
  where: (pointer: string) => string,
): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  rules.forEach((r, i) => {
    const first = seen.get(r.id);
    if (first !== undefined)
      problems.push(`${where(`/rules/${i}/id`)}: "${r.id}" is already the id of rules[${first}]`);
    else seen.set(r.id, i);
    if (r.kind in REQUIRED_ONCE) {
      for (const key of ['scope', 'overrides', 'priority'] as const) {
        if (r[key] !== undefined)
          problems.push(
            `${where(`/rules/${i}/${key}`)}: not allowed for kind ${r.kind} (${REQUIRED_ONCE[r.kind]})`,
          );
      }
    }
    if (r.scope?.hours && r.scope.hours.slice(0, 5) === r.scope.hours.slice(6))
      problems.push(`${where(`/rules/${i}/scope/hours`)}: the window is empty (from equals to)`);
  });
  for (const [kind, why] of Object.entries(REQUIRED_ONCE)) {
    if (!kinds.some((k) => k.name === kind)) continue;
    const n = rules.filter((r) => r.kind === kind).length;
    if (n !== 1)
      problems.push(`${where('/rules')}: must hold exactly one rule of kind ${kind}, not ${n} (${why})`);
  }
  return problems;
}

/** Reads and checks a rules file; errors name the file by its base name. */
export function loadRulesFile(path: string, opts: RulesFileOptions = {}): RuleSet {
  const name = basename(path);
  let text: string | undefined;
  try {
    if (statSync(path).size <= MAX_RULES_FILE_KB * 1024) text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new RulesFileError(name, [`${name}: cannot read the rules file ${path} (${reason})`]);
  }
  if (text === undefined)
    throw new RulesFileError(name, [
      `${name}: is larger than ${MAX_RULES_FILE_KB} KB (is this the right file?)`,
    ]);
  return parseRulesFile(text, name, opts);
}
