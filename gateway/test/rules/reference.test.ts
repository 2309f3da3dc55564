import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_RULES } from '../../src/rules/file.js';
import {
  RULES_REFERENCE_FILE,
  RULES_SCHEMA_FILE,
  renderRulesReference,
  renderRulesSchema,
} from '../../src/rules/reference.js';

const committed = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');

describe('rules reference', () => {
  it('docs/rules.schema.json and docs/rules.md are up to date with the kinds (run `npm run docs:rules`)', () => {
    expect(committed(RULES_SCHEMA_FILE)).toBe(renderRulesSchema());
    expect(committed(RULES_REFERENCE_FILE)).toBe(renderRulesReference());
  });

  it('the JSON Schema accepts the example file and refuses an unknown kind', () => {
    const validate = new Ajv({ strict: false }).compile(JSON.parse(committed(RULES_SCHEMA_FILE)));
    const example = parse(readFileSync(EXAMPLE_RULES, 'utf8'));
    expect(validate(example)).toBe(true);
    expect(validate({ rules: [{ id: 'x', kind: 'nope' }] })).toBe(false);
  });

  it('lists every param of a kind with its default', () => {
    expect(renderRulesReference()).toContain('| `missedHeartbeats` | integer (≥ 1, ≤ 10) | `3` |');
  });
});
