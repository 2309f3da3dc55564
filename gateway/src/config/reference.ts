import type { TSchema } from '@sinclair/typebox';
import { configLeaves, envName } from './load.js';

const typeOf = (s: TSchema): string =>
  s.anyOf ? (s.anyOf as TSchema[]).map((m) => `\`${m.const}\``).join(' \\| ') : String(s.type ?? 'any');

/** The configuration reference (Markdown), rendered from the schema so it cannot drift from it. */
export function renderConfigReference(): string {
  const row = (key: string, env: string, schema: TSchema) => {
    const def =
      schema.default === undefined
        ? '—'
        : schema.default === ''
          ? '(empty)'
          : `\`${JSON.stringify(schema.default)}\``;
    return `| \`${key}\` | ${env} | ${typeOf(schema)} | ${def} | ${schema.description ?? ''} |`;
  };
  const rows = configLeaves().flatMap(({ path, schema }) => [
    row(path.join('.'), `\`${envName(path)}\``, schema),
    // A list of objects (GPIO pins, serial ports): its fields, set in the file (no variable each).
    ...(schema.type === 'array' && schema.items?.type === 'object'
      ? configLeaves(schema.items as TSchema).map((f) =>
          row(`${path.join('.')}[].${f.path.join('.')}`, '—', f.schema),
        )
      : []),
  ]);
  return [
    '# CareEdge gateway configuration',
    '',
    '<!-- Generated from gateway/src/config/schema.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Settings are read from a YAML file (`--config FILE` or `CAREEDGE_CONFIG=FILE`), then from',
    'environment variables, then from command-line flags (`--site FILE`). Nested keys in the file',
    'are nested mappings (`mqtt:` → `port: 1884`). An invalid setting stops the gateway with one',
    '`path: message` line per problem. The site register (residents, rooms, devices, staff, roster)',
    'is a separate YAML file: see `gateway/sites/example.yaml`.',
    '',
    '| Key | Environment variable | Type | Default | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
