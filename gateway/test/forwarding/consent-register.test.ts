import { describe, expect, it } from 'vitest';
import { openRegister } from '../../src/register/register.js';
import { consentSite } from '../helpers/forwarding.js';
import { openTempDatabase } from '../helpers/tmp.js';

describe('vitals consent in the site register', () => {
  it('forwardVitals: false is kept through SQLite; absent means consent', () => {
    const { db } = openTempDatabase();
    const site = consentSite();
    const register = openRegister(db, site);
    expect(register.resident('r2')?.forwardVitals).toBe(false);
    expect(register.resident('r1')?.forwardVitals).toBeUndefined();
    expect(register.deviceContext('wb-2')?.resident?.forwardVitals).toBe(false);
    // Read again from the stored register, as a restart does.
    expect(openRegister(db, site).resident('r2')?.forwardVitals).toBe(false);
  });
});
