import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { runAccountCli } from '../../src/auth/cli.js';
import { PasswordHashPattern, verifyPassword } from '../../src/auth/passwords.js';
import { AuthStore } from '../../src/auth/store.js';
import { loadConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/core/clock.js';
import { openDatabase } from '../../src/core/db.js';
import { LoginThrottle, throttlePolicy } from '../../src/core/login-throttle.js';
import { openRegister } from '../../src/register/register.js';
import { TEST_SITE } from '../helpers/gateway.js';
import { makeTempDir } from '../helpers/tmp.js';

/** Runs one account command against a database in `dir`, answering prompts from `answers`. */
async function run(dir: string, argv: string[], answers: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, siteFile: TEST_SITE } });
  const code = await runAccountCli(
    argv,
    () => {
      const db = openDatabase(join(dir, 'careedge.sqlite'));
      return { db, register: openRegister(db, TEST_SITE), config };
    },
    { out: (t) => out.push(t), err: (t) => err.push(t), secret: async () => answers.shift() ?? '' },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Whether `password` logs `staffId` in, checked on a fresh open of the database. */
async function logsIn(dir: string, staffId: string, password: string): Promise<boolean> {
  const db = openDatabase(join(dir, 'careedge.sqlite'));
  const config = loadConfig({ env: {} });
  const accounts = new Accounts({
    store: new AuthStore(db),
    register: openRegister(db, TEST_SITE),
    clock: systemClock,
    throttle: new LoginThrottle(() => Date.now(), throttlePolicy(config.logins)),
    settings: config.auth,
  });
  const r = await accounts.login(staffId, password, '127.0.0.1');
  db.close();
  return r.ok;
}

describe('careedge-gateway staff / token commands', { timeout: 20_000 }, () => {
  it('prints a console password hash for the site file (staff hash-password), after the same checks', async () => {
    const dir = makeTempDir();
    const made = await run(dir, ['staff', 'hash-password', 'alice'], ['tulip garden 71', 'tulip garden 71']);
    expect(made.code).toBe(0);
    expect(made.out).toMatch(new RegExp(PasswordHashPattern));
    expect(await verifyPassword('tulip garden 71', made.out)).toBe(true);
    expect(await run(dir, ['staff', 'hash-password', '--stdin'], ['short'])).toMatchObject({
      code: 1,
      err: 'the password must be at least 10 characters',
    });
    expect(
      await run(dir, ['staff', 'hash-password', 'alice', '--stdin'], ['alice is my password']),
    ).toMatchObject({
      code: 1,
    });
  });

  it('sets a console password after asking twice, and refuses a mismatch or a weak one', async () => {
    const dir = makeTempDir();
    expect(
      await run(dir, ['staff', 'set-password', 'alice'], ['tulip garden 71', 'tulip garden 71']),
    ).toMatchObject({
      code: 0,
    });
    expect(await logsIn(dir, 'alice', 'tulip garden 71')).toBe(true);
    const mismatch = await run(
      dir,
      ['staff', 'set-password', 'alice'],
      ['tulip garden 72', 'tulip garden 73'],
    );
    expect(mismatch).toMatchObject({ code: 1, err: 'the two passwords differ; nothing changed' });
    const weak = await run(dir, ['staff', 'set-password', 'alice', '--stdin'], ['short']);
    expect(weak).toMatchObject({ code: 1, err: 'the password must be at least 10 characters' });
    expect(await logsIn(dir, 'alice', 'tulip garden 71')).toBe(true);
    expect((await run(dir, ['staff', 'set-password', 'zed', '--stdin'], ['tulip garden 71'])).err).toMatch(
      /no staff member "zed"/,
    );
  });

  it('creates a token shown once, lists it, and revokes it once', async () => {
    const dir = makeTempDir();
    const made = await run(dir, ['token', 'create', 'pager', '--role', 'supervisor']);
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/^token 1 "pager" \(supervisor\).*\ncet_[A-Za-z0-9_-]{43}$/);
    expect((await run(dir, ['token', 'list'])).out).toMatch(/^1\tpager\tsupervisor\tcreated .* by cli$/);
    expect(await run(dir, ['token', 'revoke', '1'])).toMatchObject({ code: 0 });
    expect((await run(dir, ['token', 'list'])).out).toMatch(/\trevoked /);
    expect(await run(dir, ['token', 'revoke', '1'])).toMatchObject({ code: 1 });
    expect(await run(dir, ['token', 'create', 'x', '--role', 'boss'])).toMatchObject({ code: 2 });
    expect(await run(dir, ['token'])).toMatchObject({ code: 2 });
  });
});
