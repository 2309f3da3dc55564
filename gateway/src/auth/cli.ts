import { parseArgs } from 'node:util';
import type { GatewayConfig } from '../config/schema.js';
import { systemClock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import { LoginThrottle, throttlePolicy } from '../core/login-throttle.js';
import type { SiteRegister } from '../register/site-register.js';
import { Accounts } from './accounts.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { CONSOLE_ROLES, type ConsoleRole } from './roles.js';
import { AuthStore } from './store.js';

export const STAFF_USAGE = `Usage:
  careedge-gateway staff set-password ID [--stdin]   set a staff member's console password
  careedge-gateway staff hash-password [ID] [--stdin] print a hash for consolePasswordHash in the site file
  careedge-gateway token create NAME --role ROLE     a bearer token for a machine client (shown once)
  careedge-gateway token list                        the tokens, revoked ones marked
  careedge-gateway token revoke TOKEN-ID             revoke a token
ROLE is staff, supervisor or admin. Without --stdin the password is asked twice, not echoed.`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Asks for a secret (no echo on a terminal); `--stdin` reads one line instead. */
  secret(prompt: string): Promise<string>;
}

/**
 * The account commands, run against the gateway's own database (a running gateway is fine:
 * SQLite's WAL lets both write). `open` gives the database and register of the configured site.
 */
export async function runAccountCli(
  argv: string[],
  open: (files: { config?: string; site?: string }) => {
    db: Db;
    register: SiteRegister;
    config: GatewayConfig;
  },
  io: CliIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stdin: { type: 'boolean' },
      role: { type: 'string' },
      config: { type: 'string', short: 'c' },
      site: { type: 'string', short: 's' },
    },
  });
  const [group, command, arg] = positionals;
  const usage = () => {
    io.err(STAFF_USAGE);
    return 2;
  };
  if (group === 'staff' && command === 'hash-password')
    return hashForSiteFile(arg, values.stdin === true, io);
  const known =
    (group === 'staff' && command === 'set-password' && arg) ||
    (group === 'token' && command === 'create' && arg) ||
    (group === 'token' && command === 'list') ||
    (group === 'token' && command === 'revoke' && arg);
  if (!known) return usage();

  const { db, register, config } = open({
    ...(values.config ? { config: values.config } : {}),
    ...(values.site ? { site: values.site } : {}),
  });
  try {
    const accounts = new Accounts({
      store: new AuthStore(db),
      register,
      clock: systemClock,
      throttle: new LoginThrottle(() => Date.now(), throttlePolicy(config.logins)),
      settings: config.auth,
    });
    if (group === 'staff') {
      // A site file value not applied yet would otherwise replace this password at the next start.
      accounts.applySitePasswords();
      const password = await io.secret(`New console password for ${arg}: `);
      if (!values.stdin && (await io.secret('Again: ')) !== password) {
        io.err('the two passwords differ; nothing changed');
        return 1;
      }
      const problem = await accounts.setPassword(arg!, password, 'cli');
      if (problem) {
        io.err(problem);
        return 1;
      }
      io.out(`console password set for ${arg}; their sessions ended`);
      return 0;
    }
    if (command === 'create') {
      const role = values.role as ConsoleRole | undefined;
      if (!role || !CONSOLE_ROLES.includes(role)) {
        io.err(`--role: must be one of ${CONSOLE_ROLES.join(', ')}`);
        return 2;
      }
      const made = accounts.createToken(arg!, role, 'cli');
      if (!made.ok) {
        io.err(made.problem);
        return 1;
      }
      io.out(`token ${made.id} "${arg}" (${role}); it is shown only now:\n${made.token}`);
      return 0;
    }
    if (command === 'list') {
      for (const t of accounts.tokens())
        io.out(
          `${t.id}\t${t.name}\t${t.role}\tcreated ${new Date(t.createdAt).toISOString()} by ${t.createdBy}${t.revokedAt === null ? '' : `\trevoked ${new Date(t.revokedAt).toISOString()}`}`,
        );
      return 0;
    }
    const id = Number(arg);
    if (!Number.isSafeInteger(id) || !accounts.revokeToken(id, 'cli')) {
      io.err(`no live token ${arg} (see: token list)`);
      return 1;
    }
    io.out(`token ${id} revoked`);
    return 0;
  } finally {
    db.close();
  }
}

/**
 * Prints a console password's hash for a staff entry's `consolePasswordHash` in the site file.
 * Needs no database; the same rules as set-password (ID, when given, for the check against it).
 */
async function hashForSiteFile(staffId: string | undefined, stdin: boolean, io: CliIo): Promise<number> {
  const password = await io.secret('Console password: ');
  if (!stdin && (await io.secret('Again: ')) !== password) {
    io.err('the two passwords differ; nothing printed');
    return 1;
  }
  const problem = passwordProblem(password, staffId ?? '');
  if (problem) {
    io.err(`the password ${problem}`);
    return 1;
  }
  io.out(await hashPassword(password));
  return 0;
}
