import { describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { AuthStore } from '../../src/auth/store.js';
import { loadConfig } from '../../src/config/load.js';
import { LoginThrottle, throttlePolicy } from '../../src/core/login-throttle.js';
import { parseSiteFile, SiteFileError } from '../../src/register/register.js';
import { SiteRegister } from '../../src/register/site-register.js';
import { importSite } from '../../src/register/store.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

const site = (aliceHash?: string) => `
site: { id: s1, name: Test, timezone: UTC }
zones: [{ id: z1, name: Zone }]
rooms: [{ id: r1, name: Room 1, zone: z1 }]
staff:
  - { id: alice, name: Alice Moss, role: carer, secret: alice-secret-0123456789${aliceHash ? `, consolePasswordHash: "${aliceHash}"` : ''} }
  - { id: sam, name: Sam Lake, role: supervisor, secret: sam-secret-0123456789 }
`;

// The site file's consolePasswordHash against passwords set later (staff set-password).
describe('console passwords from the site file', () => {
  it('sets a password the account lacks, keeps a later one while the file is unchanged, and applies a changed file value again', async () => {
    const { db } = openTempDatabase();
    const time = fakeClock();
    const config = loadConfig({ env: {} });
    const first = await hashPassword('tulip garden 71', CHEAP);
    importSite(db, parseSiteFile(site(first), 'site.yaml'));
    const store = new AuthStore(db);
    const accounts = new Accounts({
      store,
      register: new SiteRegister(db),
      clock: time.clock,
      throttle: new LoginThrottle(() => time.fake.now, throttlePolicy(config.logins)),
      settings: config.auth,
      cost: CHEAP,
    });
    const logsIn = async (password: string) =>
      (await time.whileTicking(accounts.login('alice', password, '10.0.0.5'))).ok;

    expect(accounts.applySitePasswords()).toEqual(['alice']);
    expect(await logsIn('tulip garden 71')).toBe(true);
    expect(accounts.applySitePasswords()).toEqual([]);

    // Changed with the CLI: that password wins while the site file's value stays the same.
    await accounts.setPassword('alice', 'harbour lights 9', 'cli');
    importSite(db, parseSiteFile(site(first), 'site.yaml'));
    expect(accounts.applySitePasswords()).toEqual([]);
    expect(await logsIn('harbour lights 9')).toBe(true);

    // A new value in the site file sets the password again and ends the sessions.
    const session = await accounts.login('alice', 'harbour lights 9', '10.0.0.5');
    if (!session.ok) throw new Error('login failed');
    importSite(db, parseSiteFile(site(await hashPassword('snowy owl 2024', CHEAP)), 'site.yaml'));
    expect(accounts.applySitePasswords()).toEqual(['alice']);
    expect(await logsIn('snowy owl 2024')).toBe(true);
    expect(await logsIn('harbour lights 9')).toBe(false);
    expect(accounts.session(session.sessionId)).toBeUndefined();
    expect(store.auditPage(0, 100).filter((r) => r.actor === 'site-file')).toHaveLength(2);

    // Taken out of the site file: the password stays (nothing to apply).
    importSite(db, parseSiteFile(site(), 'site.yaml'));
    expect(accounts.applySitePasswords()).toEqual([]);
    expect(await logsIn('snowy owl 2024')).toBe(true);
  });

  it('refuses a value that is not a console password hash, saying where', () => {
    const bad = () => parseSiteFile(site('sha256$abc$def'), 'site.yaml');
    expect(bad).toThrow(SiteFileError);
    try {
      bad();
    } catch (err) {
      expect((err as SiteFileError).problems.join('\n')).toMatch(
        /staff\[0\]\.consolePasswordHash.*scrypt\$N\$r\$p\$<salt>\$<key>/,
      );
    }
  });
});
