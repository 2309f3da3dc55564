// Writes docs/openapi.json from the HTTP API's route schemas. Run `npm run openapi` after changing
// a route; gateway/test/api/openapi.test.ts fails while the committed file is stale.
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, renderOpenApi } from '../src/api/openapi.js';

const target = new URL(`../../${OPENAPI_FILE}`, import.meta.url);
writeFileSync(target, await renderOpenApi());
console.log(`wrote ${OPENAPI_FILE}`);
