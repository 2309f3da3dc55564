// Writes the dashboards as JSON for Grafana's file provisioning: `npm run dashboards`.
// A test fails when the committed files differ from what this writes.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOARDS, BOARDS_DIR, boardJson } from './index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', BOARDS_DIR);
mkdirSync(dir, { recursive: true });
// A dashboard removed from the code must leave Grafana too.
for (const f of readdirSync(dir)) if (f.endsWith('.json')) rmSync(join(dir, f));
for (const [name, build] of Object.entries(BOARDS))
  writeFileSync(join(dir, `${name}.json`), boardJson(build));
console.log(`dashboards: ${Object.keys(BOARDS).length} written to dashboards/${BOARDS_DIR}`);
