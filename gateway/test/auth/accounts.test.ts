import { describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { hashPassword, needsRehash, verifyPassword } from '../../src/auth/passwords.js';
import { AuthStore } from '../../src/auth/store.js';
import { loadConfig } from '../../src/config/load.js';
import { LoginThrottle, throttlePolicy } from '../../src/core/login-throttle.js';
import { parseSiteFile } from '../../src/register/register.js';
import { SiteRegister } from '../../src/register/site-register.js';
import { importSite } from '../../src/register/store.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';

// A cheap cost: the production one takes ~100 ms a hash, on purpose.
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

const SITE = `
site: { id: s1, name: Test Home, timezone: Europe/London }
zones: [ { id: east, name: East } ]
rooms: [ { id: e1, name: Room 1, zone: east } ]
staff:
  - { id: alice, name: Alice Moss, role: carer, secret: alice-secret-0123456789 }
  - { id: sam, name: Sam Lake, role: supervisor, secret: sam-secret-0123456789 }
  - { id: ada, name: Ada King, role: carer, admin: true, secret: ada-secret-0123456789 }
`;

function setUp() {
  const { db } = openTempDatabase();
  importSite(db, parseSiteFile(SITE, 'site.yaml'));
  const register = new SiteRegister(db);
  const time = fakeClock();
  const config = loadConfig({ env: {} });
  const throttle = new LoginThrottle(() => time.fake.now, throttlePolicy(config.logins));
  const store = new AuthStore(db);
  const accounts = new Accounts({
    store,
    register,
    clock: time.clock,
    throttle,
    settings: config.auth,
    cost: CHEAP,
  });
  return { db, store, accounts, time, config };
}

describe('console passwords', () => {
  it('hashes with scrypt and a salt, verifies, and refuses tampered or malformed hashes', async () => {
    const a = await hashPassword('correct horse battery', CHEAP);
    const b = await hashPassword('correct horse battery', CHEAP);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', a.replace('$1024$', '$2048$'))).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1099511627776$8$1$AAAA$BBBB')).toBe(false);
    expect(needsRehash(a)).toBe(true); // cheaper than the default
  });

  it('refuses short, id-containing and repetitive passwords, and unknown staff', async () => {
    const { accounts } = setUp();
    expect(await accounts.setPassword('alice', 'short', 'cli')).toMatch(/at least 10/);
    expect(await accounts.setPassword('alice', 'alice-is-my-pass', 'cli')).toMatch(/staff id/);
    expect(await accounts.setPassword('alice', 'aaaaaaaaaaaa', 'cli')).toMatch(/same few/);
    expect(await accounts.setPassword('nobody', 'long enough pass', 'cli')).toMatch(/no staff member/);
    expect(await accounts.setPassword('alice', 'long enough pass', 'cli')).toBeUndefined();
  });
});

describe('console logins and sessions', () => {
  it('logs in with the role from the register, and the same refusal for a wrong password, an unknown id and no password', async () => {
    const { accounts, store, time } = setUp();
    await accounts.setPassword('alice', 'tulip garden 71', 'cli');
    await accounts.setPassword('ada', 'harbour lights 9', 'cli');
    const ok = await accounts.login('alice', 'tulip garden 71', '10.0.0.5');
    expect(ok).toMatchObject({ ok: true, staffId: 'alice', role: 'staff' });
    expect(await accounts.login('ada', 'harbour lights 9', '10.0.0.5')).toMatchObject({ role: 'admin' });
    expect(await time.whileTicking(accounts.login('alice', 'wrong password', '10.0.0.5'))).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await time.whileTicking(accounts.login('nobody', 'wrong password', '10.0.0.5'))).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await time.whileTicking(accounts.login('sam', 'no password set', '10.0.0.5'))).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const actions = store.auditPage(0, 100).map((r) => `${r.actor} ${r.action}`);
    expect(actions).toEqual([
      'cli password-set',
      'cli password-set',
      'alice login',
      'ada login',
      'alice login-failed',
      'nobody login-failed',
      'sam login-failed',
    ]);
    // Only the session id's hash is stored.
    if (!ok.ok) throw new Error('login failed');
    expect(JSON.stringify(store.session(ok.sessionId))).toBe(undefined);
  });

  it('locks a login out of an address after repeated failures, and not from another', async () => {
    const { accounts, config, time } = setUp();
    await accounts.setPassword('alice', 'tulip garden 71', 'cli');
    for (let i = 0; i < config.logins.sourceLockAfter; i++)
      await time.whileTicking(accounts.login('alice', `guess ${i} wrong`, '10.0.0.66'));
    const locked = await accounts.login('alice', 'tulip garden 71', '10.0.0.66');
    expect(locked).toMatchObject({ ok: false, reason: 'locked' });
    expect(await accounts.login('alice', 'tulip garden 71', '10.0.0.5')).toMatchObject({ ok: true });
  });

  it('holds a refusal back by the throttle delay on the clock, and no other login meanwhile', async () => {
    const { accounts, config, time, store } = setUp();
    await accounts.setPassword('alice', 'tulip garden 71', 'cli');
    await accounts.setPassword('ada', 'harbour lights 9', 'cli');
    const { freeFailures, firstDelayMs } = config.logins;
    // The free failures are answered without the clock moving.
    for (let i = 0; i < freeFailures - 1; i++)
      expect(await accounts.login('alice', `guess ${i} wrong`, '10.0.0.9')).toMatchObject({
        reason: 'invalid',
      });
    let answered = false;
    const held = accounts.login('alice', 'one guess too many', '10.0.0.9').then((r) => {
      answered = true;
      return r;
    });
    const failures = () => store.auditPage(0, 100).filter((r) => r.action === 'login-failed').length;
    while (failures() < freeFailures) await time.settled();
    await time.settled();
    // Another login from the same address is answered while the refusal waits.
    expect(await accounts.login('ada', 'harbour lights 9', '10.0.0.9')).toMatchObject({ ok: true });
    await time.tick(firstDelayMs - 1);
    expect(answered).toBe(false);
    await time.tick(1);
    expect(await held).toEqual({ ok: false, reason: 'invalid' });
  });

  it('ends a session when idle too long, at its maximum age, on logout, and on a password change', async () => {
    const { accounts, time, config } = setUp();
    await accounts.setPassword('alice', 'tulip garden 71', 'cli');
    const login = async () => {
      const r = await accounts.login('alice', 'tulip garden 71', '10.0.0.5');
      if (!r.ok) throw new Error('login failed');
      return r.sessionId;
    };
    const idle = await login();
    expect(accounts.session(idle)).toMatchObject({ staffId: 'alice', role: 'staff' });
    await time.tick(config.auth.sessionIdleH * 3_600_000 + 1);
    expect(accounts.session(idle)).toBeUndefined();

    const busy = await login();
    for (let h = 0; h < config.auth.sessionMaxDays * 24; h += 6) {
      expect(accounts.session(busy), `after ${h} h`).toBeDefined();
      await time.tick(6 * 3_600_000);
    }
    expect(accounts.session(busy), 'at its maximum age').toBeDefined();
    await time.tick(1);
    expect(accounts.session(busy), 'past its maximum age').toBeUndefined();

    const out = await login();
    accounts.logout(out, '10.0.0.5');
    expect(accounts.session(out)).toBeUndefined();

    const changed = await login();
    await accounts.setPassword('alice', 'tulip garden 72', 'alice');
    expect(accounts.session(changed)).toBeUndefined();
  });

  it('does not trust a session created after the clock stepped back', async () => {
    const { accounts, time } = setUp();
    await accounts.setPassword('alice', 'tulip garden 71', 'cli');
    const r = await accounts.login('alice', 'tulip garden 71', '10.0.0.5');
    if (!r.ok) throw new Error('login failed');
    time.fake.setSystemTime(time.fake.now - 3_600_000);
    expect(accounts.session(r.sessionId)).toBeUndefined();
  });
});

describe('machine tokens', () => {
  it('are shown once, stored hashed, authenticate with their role until revoked', () => {
    const { accounts, db } = setUp();
    const made = accounts.createToken('pager', 'supervisor', 'ada');
    if (!made.ok) throw new Error(made.problem);
    expect(made.token).toMatch(/^cet_/);
    expect(JSON.stringify(db.prepare('SELECT * FROM auth_tokens').all())).not.toContain(made.token);
    expect(accounts.token(made.token)).toMatchObject({ name: 'pager', role: 'supervisor' });
    expect(accounts.token(`${made.token}x`)).toBeUndefined();
    expect(accounts.createToken('pager', 'staff', 'ada')).toMatchObject({ ok: false });
    expect(accounts.createToken('no spaces', 'staff', 'ada')).toMatchObject({ ok: false });
    expect(accounts.revokeToken(made.id, 'ada')).toBe(true);
    expect(accounts.token(made.token)).toBeUndefined();
    expect(accounts.revokeToken(made.id, 'ada')).toBe(false);
  });

  it('keeps the auth audit append-only', () => {
    const { accounts, db } = setUp();
    accounts.createToken('pager', 'staff', 'ada');
    expect(() => db.prepare('DELETE FROM auth_audit').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE auth_audit SET actor = 'x'").run()).toThrow(/append-only/);
  });
});
