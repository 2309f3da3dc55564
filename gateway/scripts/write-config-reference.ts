import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.js';

const target = new URL('../../docs/configuration.md', import.meta.url);
writeFileSync(target, renderConfigReference());
console.log(`wrote ${target.pathname}`);
