// Writes docs/rules.schema.json and docs/rules.md from the rule kinds. Run `npm run docs:rules`
// after changing a kind; gateway/test/rules/reference.test.ts fails while they are stale.
import { writeFileSync } from 'node:fs';
import {
  RULES_REFERENCE_FILE,
  RULES_SCHEMA_FILE,
  renderRulesReference,
  renderRulesSchema,
} from '../src/rules/reference.js';

for (const [file, text] of [
  [RULES_SCHEMA_FILE, renderRulesSchema()],
  [RULES_REFERENCE_FILE, renderRulesReference()],
] as const) {
  writeFileSync(new URL(`../../${file}`, import.meta.url), text);
  console.log(`wrote ${file}`);
}
