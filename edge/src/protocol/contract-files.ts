import type { TSchema } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { buildAsyncApiDocument, messageSchemas, toJsonSchema } from './asyncapi.js';
import { channelKeys, channels } from './channels.js';
import { uplinkSchemas } from './uplink-messages.js';

/**
 * The generated contract files, as text, with paths relative to edge/. `npm run asyncapi` writes
 * them and edge/test/asyncapi.test.ts compares them with the committed ones, so both share this.
 */
export interface ContractFile {
  path: string;
  text: string;
}

export const SCHEMAS_DIR = 'schemas';
const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';
const YAML_HEADER =
  '# Generated from edge/src/protocol by `npm run asyncapi`; do not edit by hand.\n' +
  '# Human guide: docs/wire-protocol.md\n';

export function renderAsyncApiYaml(): string {
  // No anchors/aliases and no folding: readers and diffs see each schema in full, one line per value.
  return YAML_HEADER + stringify(buildAsyncApiDocument(), { aliasDuplicateObjects: false, lineWidth: 0 });
}

/**
 * Every message schema, plus each channel's union (DeviceEvent, HandsetReply, HandsetMessage) so a
 * device maker can validate whatever it publishes on a channel with one file; and the uplink's
 * messages, the head office's contract.
 */
export function jsonSchemaFiles(): ContractFile[] {
  const schemas = new Map<string, TSchema>(messageSchemas());
  for (const key of channelKeys) {
    const c = channels[key];
    if ('discriminator' in c) schemas.set(c.schema.$id!, c.schema);
  }
  // The uplink's messages go to a head office's broker, not through the site's (docs/uplink.md).
  for (const schema of uplinkSchemas) schemas.set(schema.$id!, schema);
  return [...schemas]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, schema]) => ({
      path: `${SCHEMAS_DIR}/${id}.schema.json`,
      text: `${formatJson({ $schema: JSON_SCHEMA_DIALECT, ...toJsonSchema(schema) })}\n`,
    }));
}

export function contractFiles(): ContractFile[] {
  return [{ path: 'asyncapi.yaml', text: renderAsyncApiYaml() }, ...jsonSchemaFiles()];
}

const LINE_WIDTH = 110; // biome.json formatter.lineWidth

/**
 * JSON laid out the way `biome format` lays it out (objects expanded, arrays of scalars on one line
 * when they fit), so that `npm run check` and the staleness test agree on the committed files.
 */
export function formatJson(value: unknown, indent = '', prefixWidth = 0, suffix = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      if (indent.length + prefixWidth + flat.length + suffix.length <= LINE_WIDTH) return flat;
    }
    const inner = `${indent}  `;
    const items = value.map((v, i) => inner + formatJson(v, inner, 0, i < value.length - 1 ? ',' : ''));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([k, v], i) => {
      const key = `${JSON.stringify(k)}: `;
      return inner + key + formatJson(v, inner, key.length, i < entries.length - 1 ? ',' : '');
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
