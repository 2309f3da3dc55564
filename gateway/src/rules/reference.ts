import { formatJson } from '@careedge/edge';
import type { TSchema } from '@sinclair/typebox';
import { rulesFileSchema } from './file-schema.js';
import { type AnyRuleKind, BUILT_IN_KINDS, RULE_KINDS } from './kinds/index.js';

export const RULES_SCHEMA_FILE = 'docs/rules.schema.json';
export const RULES_REFERENCE_FILE = 'docs/rules.md';

/** A key with a default is not required of the file: the gateway fills it in (editors do not). */
function optionalDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(optionalDefaults);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = optionalDefaults(v);
  const props = out.properties as Record<string, { default?: unknown }> | undefined;
  if (Array.isArray(out.required) && props) {
    out.required = (out.required as string[]).filter((k) => props[k]?.default === undefined);
    if ((out.required as string[]).length === 0) delete out.required;
  }
  return out;
}

/** The rules file's JSON Schema, for editors and CI: the definition the gateway validates with. */
export const renderRulesSchema = (kinds: readonly AnyRuleKind[] = RULE_KINDS): string =>
  `${formatJson(optionalDefaults(JSON.parse(JSON.stringify(rulesFileSchema(kinds)))))}\n`;

const typeOf = (s: TSchema): string =>
  s.anyOf ? (s.anyOf as TSchema[]).map((m) => `\`${m.const}\``).join(' \\| ') : String(s.type ?? 'any');

function paramRows(schema: TSchema, path: string[] = []): string[] {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([k, s]) =>
      paramRows(s, [...path, k]),
    );
  }
  const def = schema.default === undefined ? '—' : `\`${JSON.stringify(schema.default)}\``;
  const limits = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : '',
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `| \`${path.join('.')}\` | ${typeOf(schema)}${limits ? ` (${limits})` : ''} | ${def} | ${schema.description ?? ''} |`,
  ];
}

/** docs/rules.md: the rules file reference, rendered from the kinds so it cannot drift from them. */
export function renderRulesReference(kinds: readonly AnyRuleKind[] = RULE_KINDS): string {
  const sections = kinds.flatMap((k) => [
    `### \`${k.name}\``,
    '',
    `Subject: the ${k.subject} (one instance and at most one open alert per ${k.subject} and rule). Inputs: ${k.inputs.join(', ')}.${
      BUILT_IN_KINDS.has(k.name)
        ? ' Built in: exactly one rule of this kind, without `scope`, `overrides` or `priority`; it runs on the alarm path itself, and its defaults are the `rules.*` settings (docs/configuration.md).'
        : ''
    }`,
    '',
    '| Param | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...paramRows(k.params),
    '',
  ]);
  return [
    '# CareEdge rules file',
    '',
    '<!-- Generated from gateway/src/rules (the kinds and file-schema.ts) by `npm run docs:rules`; do not edit by hand. -->',
    '',
    'The rules turn device messages into alerts. The file is YAML (setting `rules.file`; empty: the',
    'example [gateway/rules.example.yaml](../gateway/rules.example.yaml)), validated against',
    `[${RULES_SCHEMA_FILE.slice(5)}](${RULES_SCHEMA_FILE.slice(5)}). A problem is reported as`,
    '`file:line: path: message` (`rules.yaml:12: rules[3].params.missedHeartbeats: must be <= 10`).',
    'The gateway reloads the file when it changes, or on `POST /api/v1/rules`; a file that is not',
    'valid is refused and the last good rules stay in force. At start there is no last good copy: a',
    'file that is not valid refuses the start (`CareEdge refuses to start because the rules file is',
    'not valid:` and its lines, exit code 2), as an invalid configuration or site file does. The',
    'gateway never falls back to other rules than the ones written: alerts nobody configured would',
    'hide the mistake. The rules version recorded on every alert (with the rule id) is the content',
    'hash of the file. A rule keeps its state (windows, learned baselines) across reloads and',
    'restarts while its id and kind stay the same; an id given another kind starts that kind afresh.',
    "A resident's rules take the readings of all their bands, except a band not worn while another",
    'of theirs was heard worn within 10 minutes (a spare left on in its charger).',
    '',
    '## A rule',
    '',
    '| Key | Meaning |',
    '| --- | --- |',
    '| `id` | Stable, unique name, 1 to 40 of `a-z`, `0-9`, `-`; recorded on every alert the rule raises. |',
    '| `kind` | One of the kinds below. |',
    "| `priority` | Optional: `high`, `medium` or `low` for the alerts it raises, instead of the kind's own choice. |",
    '| `scope.zones` | Optional: only devices in these zones. |',
    '| `scope.residents` | Optional: only these residents. |',
    '| `scope.hours` | Optional: only inputs arriving in this local time window, `"22:00-06:00"` runs past midnight. Deadlines the rule set itself still wake it. |',
    "| `params` | The kind's parameters; every one has a default. |",
    '| `overrides` | Per resident id: the params that differ for them (`r-101: { missedHeartbeats: 5 }`). |',
    '',
    '## Kinds',
    '',
    ...sections,
  ].join('\n');
}
