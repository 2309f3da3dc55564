import { writeFileSync } from 'node:fs';
import { renderTimeSeriesReference } from '../src/forwarding/reference.js';

const target = new URL('../../docs/time-series.md', import.meta.url);
writeFileSync(target, renderTimeSeriesReference());
console.log(`wrote ${target.pathname}`);
