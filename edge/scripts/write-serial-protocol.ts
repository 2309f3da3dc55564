// Writes docs/serial-protocol.md from edge/src/serial. Run `npm run docs:serial` after changing
// anything there; edge/test/serial-protocol-doc.test.ts fails while the committed file is stale.
import { writeFileSync } from 'node:fs';
import { renderSerialProtocolDoc } from '../src/serial/reference.js';

const target = new URL('../../docs/serial-protocol.md', import.meta.url);
writeFileSync(target, renderSerialProtocolDoc());
console.log(`wrote ${target.pathname}`);
