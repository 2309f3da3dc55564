import { Priority } from '@careedge/edge';
import { type TSchema, Type } from '@sinclair/typebox';
import type { AnyRuleKind } from './kinds/index.js';

/** Rule ids go on alerts and into time-series tags: stable, unique, bounded. */
export const RULE_ID_PATTERN = '^[a-z0-9-]{1,40}$';
const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';
export const HOURS_PATTERN = `^${HHMM}-(${HHMM}|24:00)$`;
const ID = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

/**
 * The same shape with every key optional and no defaults: a per-resident override names only what
 * differs, and must not fill in defaults that would hide the rule's own params.
 */
export function partialWithoutDefaults(schema: TSchema): TSchema {
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (typeof s !== 'object' || s === null) return s;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (k !== 'default' && k !== 'required') out[k] = walk(v);
    return out;
  };
  return walk(schema) as TSchema;
}

const Scope = Type.Object(
  {
    zones: Type.Optional(
      Type.Array(Type.String({ pattern: ID }), {
        minItems: 1,
        uniqueItems: true,
        description: 'Only devices in these zones (site file zone ids).',
      }),
    ),
    residents: Type.Optional(
      Type.Array(Type.String({ pattern: ID }), {
        minItems: 1,
        uniqueItems: true,
        description: 'Only these residents (site file resident ids).',
      }),
    ),
    hours: Type.Optional(
      Type.String({
        pattern: HOURS_PATTERN,
        'x-message': 'must be a local time window HH:MM-HH:MM, e.g. "22:00-06:00"',
        description:
          'Only inputs that arrive in this local time-of-day window (the site time zone); "22:00-06:00" runs past midnight. Deadlines the rule set itself still wake it outside the window.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Where and when the rule applies; absent: everywhere, always.',
  },
);

/**
 * The rules file's definition: one TypeBox schema validates the file at load and reload, and is
 * the JSON Schema (docs/rules.schema.json) and the reference (docs/rules.md). Each kind's params
 * schema plugs in, chosen by `kind:`.
 */
export function rulesFileSchema(kinds: readonly AnyRuleKind[]): TSchema {
  const perKind = kinds.map((k) => ({
    if: { properties: { kind: { const: k.name } }, required: ['kind'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, never awaited
    then: {
      properties: {
        params: k.params,
        overrides: Type.Record(Type.String({ pattern: ID }), partialWithoutDefaults(k.params), {
          description: 'Per resident (site file id): the params that differ for them.',
        }),
      },
    },
  }));
  const Rule = Type.Object(
    {
      id: Type.String({
        pattern: RULE_ID_PATTERN,
        'x-message': 'must be 1 to 40 of a-z, 0-9 and "-"',
        description: 'Stable, unique name of the rule; recorded on every alert it raises.',
      }),
      kind: Type.Union(
        kinds.map((k) => Type.Literal(k.name)),
        { description: 'What the rule watches (the kinds below).' },
      ),
      priority: Type.Optional({
        ...Priority,
        description: "Priority of the alerts the rule raises, instead of the kind's own choice.",
      }),
      scope: Type.Optional(Scope),
      params: Type.Object({}, { default: {}, description: "The kind's parameters (see its section)." }),
      overrides: Type.Optional(Type.Object({})),
    },
    { additionalProperties: false, allOf: perKind },
  );
  return Type.Object(
    {
      rules: Type.Array(Rule, { description: 'The rules, each an instance of a kind.' }),
    },
    {
      additionalProperties: false,
      $id: 'https://careedge.example/rules.schema.json',
      title: 'CareEdge rules file',
    },
  );
}
