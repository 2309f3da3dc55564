import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegister, parseSiteFile } from '../src/register/register.js';
import { TEST_SITE } from './helpers/gateway.js';
import { makeTempDir, openTempDatabase } from './helpers/tmp.js';

/** The test site with r2 flagged at risk of night wandering. */
function flaggedSite(): string {
  const file = join(makeTempDir('careedge-site-'), 'site.yaml');
  const yaml = readFileSync(TEST_SITE, 'utf8').replace(
    '{ id: r2, name: Harold Finch, room: n2 }',
    '{ id: r2, name: Harold Finch, room: n2, nightWanderingRisk: true }',
  );
  if (!yaml.includes('nightWanderingRisk')) throw new Error('the test site changed: r2 not found');
  writeFileSync(file, yaml);
  return file;
}

describe('night-wandering risk in the site register', () => {
  it('nightWanderingRisk: true is kept through SQLite; absent means not flagged', () => {
    const { db } = openTempDatabase();
    const site = flaggedSite();
    const register = openRegister(db, site);
    expect(register.resident('r2')?.nightWanderingRisk).toBe(true);
    expect(register.resident('r1')?.nightWanderingRisk).toBeUndefined();
    expect(register.deviceContext('wb-2')?.resident?.nightWanderingRisk).toBe(true);
    // Read again from the stored register, as a restart does.
    expect(openRegister(db, site).resident('r2')?.nightWanderingRisk).toBe(true);
  });

  it('refuses a value that is not a boolean, saying where', () => {
    const text = readFileSync(TEST_SITE, 'utf8').replace(
      '{ id: r2, name: Harold Finch, room: n2 }',
      '{ id: r2, name: Harold Finch, room: n2, nightWanderingRisk: yes-ish }',
    );
    expect(() => parseSiteFile(text, 'site.yaml')).toThrow(/residents\[1\]\.nightWanderingRisk/);
  });
});
