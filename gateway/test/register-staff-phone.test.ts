import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegister, parseSiteFile } from '../src/register/register.js';
import { TEST_SITE } from './helpers/gateway.js';
import { makeTempDir, openTempDatabase } from './helpers/tmp.js';

const ALICE = '{ id: alice, name: Alice Moss, firstName: Alice, role: carer,';

/** The test site with alice's mobile number set to `phone`. */
function withPhone(phone: string): string {
  const yaml = readFileSync(TEST_SITE, 'utf8').replace(ALICE, `${ALICE} phone: '${phone}',`);
  if (!yaml.includes('phone:')) throw new Error('the test site changed: alice not found');
  return yaml;
}

describe('staff phone numbers in the site register (SMS)', () => {
  it('keeps an E.164 phone through SQLite; absent means none', () => {
    const { db } = openTempDatabase();
    const site = join(makeTempDir('careedge-site-'), 'site.yaml');
    writeFileSync(site, withPhone('+4915112345678'));
    const register = openRegister(db, site);
    expect(register.staff('alice')?.phone).toBe('+4915112345678');
    expect(register.staff('bob')).not.toHaveProperty('phone');
    // Read again from the stored register, as a restart does.
    expect(openRegister(db, site).staff('alice')?.phone).toBe('+4915112345678');
  });

  it('refuses a number that is not E.164, saying where', () => {
    for (const bad of ['015112345678', '+49 151 12345678', '+0151123', '+4915112345678901234']) {
      expect(() => parseSiteFile(withPhone(bad), 'site.yaml')).toThrow(/staff\[0\]\.phone/);
    }
  });
});
