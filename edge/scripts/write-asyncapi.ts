// Writes edge/asyncapi.yaml and edge/schemas/*.schema.json from the protocol schemas.
// Run `npm run asyncapi` after changing anything in edge/src/protocol; edge/test/asyncapi.test.ts
// fails while the committed files are stale.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractFiles, SCHEMAS_DIR } from '../src/protocol/contract-files.js';

const edgeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = contractFiles();

mkdirSync(join(edgeDir, SCHEMAS_DIR), { recursive: true });
const wanted = new Set(files.map((f) => f.path));
for (const name of readdirSync(join(edgeDir, SCHEMAS_DIR))) {
  const path = `${SCHEMAS_DIR}/${name}`;
  if (name.endsWith('.schema.json') && !wanted.has(path)) {
    rmSync(join(edgeDir, path));
    console.log(`removed edge/${path}`);
  }
}
for (const { path, text } of files) writeFileSync(join(edgeDir, path), text);
console.log(`wrote edge/asyncapi.yaml and ${files.length - 1} schemas in edge/${SCHEMAS_DIR}/`);
