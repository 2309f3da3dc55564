import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

/** The base station the demo adds to the site, on its PTY pair. */
export const DEMO_BASE_STATION = 'bs-demo';

/**
 * A copy of `siteFile` at `out` with a base station (`bs-demo`, kind base-station, a fresh
 * secret) and `devices` moved behind it (`via: bs-demo`): the example site stays as it is for
 * `npm start`, and the demo shows the same wristband reaching the gateway by serial instead.
 * The comments of the file are kept (YAML document API).
 */
export function withBaseStation(siteFile: string, devices: string[], out: string): string {
  const doc = parseDocument(readFileSync(siteFile, 'utf8'));
  const list = doc.get('devices') as {
    items: { get(k: string): unknown; set(k: string, v: unknown): void }[];
  };
  for (const id of devices) {
    const entry = list.items.find((d) => d.get('id') === id);
    if (!entry) throw new Error(`${siteFile}: no device "${id}" to put behind the demo's base station`);
    entry.set('via', DEMO_BASE_STATION);
  }
  doc.addIn(
    ['devices'],
    doc.createNode({
      id: DEMO_BASE_STATION,
      kind: 'base-station',
      secret: `demo-${randomBytes(12).toString('base64url')}`,
    }),
  );
  writeFileSync(out, doc.toString());
  return out;
}
