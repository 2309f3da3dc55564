import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  addressTemplate,
  channelKeys,
  channels,
  ERROR_CATALOGUE,
  ERROR_CODES,
  messageSchemas,
  toJsonSchema,
} from '../src/index.js';

// docs/wire-protocol.md is written by hand for device makers; these checks keep it honest
// against the channel catalogue and the schemas.
const docsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
const doc = readFileSync(join(docsDir, 'wire-protocol.md'), 'utf8');
const schemas = messageSchemas();

/** Each ```json block with the message id named in the nearest heading above it. */
function jsonExamples(): { id: string | undefined; text: string; line: number }[] {
  const lines = doc.split('\n');
  const found: { id: string | undefined; text: string; line: number }[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) heading = line;
    if (line !== '```json') continue;
    const end = lines.indexOf('```', i + 1);
    const id = heading.match(/[A-Za-z]+/g)?.find((word) => schemas.has(word));
    found.push({ id, text: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return found;
}

describe('docs/wire-protocol.md', () => {
  it('shows a valid JSON example for every message, each under a heading naming its message', () => {
    const ajv = new Ajv({ strict: true });
    for (const schema of schemas.values()) ajv.addSchema(toJsonSchema(schema));
    const examples = jsonExamples();
    for (const { id, text, line } of examples) {
      expect(id, `json block at line ${line} has no message name in its heading`).toBeDefined();
      const validate = ajv.getSchema(id!)!;
      expect(
        validate(JSON.parse(text)),
        `${id} example at line ${line}: ${ajv.errorsText(validate.errors)}`,
      ).toBe(true);
    }
    expect(new Set(examples.map((e) => e.id))).toEqual(new Set(schemas.keys()));
  });

  it('has a topic table row per channel with its topic, QoS and retain flag', () => {
    for (const key of channelKeys) {
      const { qos, retained } = channels[key];
      const rows = doc.split('\n').filter((l) => l.startsWith('|'));
      const cells = rows.map((r) => r.split('|').map((c) => c.trim())).find((c) => c[1] === `\`${key}\``);
      expect(cells, `no topic table row for ${key}`).toBeDefined();
      expect(cells!.slice(1, 6)).toEqual([
        `\`${key}\``,
        `\`${addressTemplate(key)}\``,
        expect.stringMatching(channels[key].direction === 'up' ? /→ gateway$/ : /^gateway →/),
        String(qos),
        retained ? 'yes' : 'no',
      ]);
    }
  });

  it('links the machine-readable contract and only schema files that exist', () => {
    expect(doc).toContain('](../edge/asyncapi.yaml)');
    const links = [...doc.matchAll(/\]\(\.\.\/(edge\/[^)#]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(2);
    for (const link of links) expect(existsSync(join(docsDir, '..', link)), link).toBe(true);
  });
});

describe('docs/wire-protocol.md error catalogue', () => {
  it('has one row per catalogue code with its HTTP status and meaning', () => {
    const rows = doc
      .split('\n')
      .filter((l) => /^\| `[a-z-]+` +\| \d{3} +\|/.test(l))
      .map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.map((c) => [c[1], Number(c[2]), c[3]])).toEqual(
      ERROR_CODES.map((code) => [
        `\`${code}\``,
        ERROR_CATALOGUE[code].status,
        ERROR_CATALOGUE[code].description,
      ]),
    );
  });
});
