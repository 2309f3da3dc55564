import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { LoginThrottle } from '../core/login-throttle.js';
import { storageFault } from '../core/storage-probe.js';
import type { SiteRegister } from '../register/site-register.js';
import {
  DEFAULT_COST,
  dummyHash,
  hashPassword,
  passwordProblem,
  type ScryptCost,
  verifyPassword,
} from './passwords.js';
import { type ConsoleRole, roleOf } from './roles.js';
import type { AuthAuditAction, AuthStore, TokenRow } from './store.js';

/** Who a request acts as: a console session, or a bearer token of a machine client. */
export type ConsolePrincipal =
  | { kind: 'session'; staffId: string; role: ConsoleRole; csrfToken: string }
  | { kind: 'token'; tokenId: number; name: string; role: ConsoleRole };

export type LoginResult =
  | { ok: true; sessionId: string; csrfToken: string; staffId: string; role: ConsoleRole }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryInMs: number };

/** Machine tokens say what they are at a glance (and to secret scanners). */
const TOKEN_PREFIX = 'cet_';
const TOKEN_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const randomId = () => randomBytes(32).toString('base64url');

/** A session seen again within this is not written again: one write a minute, not one a request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * A bookkeeping write of a session check, skipped when the storage refuses it (full or read-only
 * SD card): the check is a read, and it runs in the live stream's heartbeat timer too, where a
 * throw would be an uncaught exception in the gateway's process.
 */
function unlessStorageFails(write: () => void): void {
  try {
    write();
  } catch (err) {
    if (!storageFault(err)) throw err;
  }
}

/**
 * Staff console accounts: passwords (apart from the handset's MQTT secret), sessions and machine
 * tokens. Only hashes are stored. Wrong passwords go through the same throttle as MQTT logins
 * (core/login-throttle.ts): refusals held back longer and longer, then a lockout of that login
 * from that address.
 * Every login, failure, lockout, logout, password change and token change is audited.
 */
export class Accounts {
  constructor(
    private readonly o: {
      store: AuthStore;
      register: Pick<SiteRegister, 'staff'>;
      /** Also holds back refusals (setTimeout), as MQTT logins are. */
      clock: Pick<Clock, 'now' | 'setTimeout'>;
      throttle: LoginThrottle;
      settings: { sessionIdleH: number; sessionMaxDays: number };
      /** Tests pass a cheap cost; the default is the production one. */
      cost?: ScryptCost;
    },
  ) {}

  /**
   * The last login in progress per address and staff id. Attempts for one pair run one after the
   * other, so each is checked against the lockout after the ones before it have failed: a burst
   * of guesses sent together cannot all pass the check while the first are still hashing.
   */
  private readonly pending = new Map<string, Promise<unknown>>();

  /** Sets a staff member's console password; ends their sessions. Returns the problem, if refused. */
  async setPassword(staffId: string, password: string, actor: string): Promise<string | undefined> {
    if (!this.o.register.staff(staffId)) return `no staff member "${staffId}" in the site register`;
    const problem = passwordProblem(password, staffId);
    if (problem) return `the password ${problem}`;
    const hash = await hashPassword(password, this.o.cost ?? DEFAULT_COST);
    const at = this.o.clock.now();
    this.o.store.transaction(() => {
      this.o.store.setPassword(staffId, hash, at);
      this.o.store.dropSessionsOf(staffId);
      this.o.store.audit({ at, actor, action: 'password-set', subject: staffId, client: '' });
    });
    return undefined;
  }

  /**
   * Applies the site file's console password hashes (staff `consolePasswordHash`): to an account
   * with no password, or when the file's value changed since it was last applied. A password set
   * since then (staff set-password) stays while the file's value stays the same. A password
   * changed this way ends the person's sessions, as any password change does. Returns the ids.
   */
  applySitePasswords(): string[] {
    const { store, clock } = this.o;
    const at = clock.now();
    return store.transaction(() =>
      store.unappliedSitePasswords().map(({ staffId, hash }) => {
        store.applySitePassword(staffId, hash, at);
        store.dropSessionsOf(staffId);
        store.audit({ at, actor: 'site-file', action: 'password-set', subject: staffId, client: '' });
        return staffId;
      }),
    );
  }

  /**
   * Checks a login. The answer for an unknown staff id, one without a password and a wrong
   * password is the same, and takes as long: it must not tell which ids exist.
   */
  login(staffId: string, password: string, client: string): Promise<LoginResult> {
    const key = `${client}\n${staffId}`;
    const before = this.pending.get(key) ?? Promise.resolve();
    const attempt = before.then(() => this.loginNow(staffId, password, client));
    const settled = attempt.catch(() => undefined);
    this.pending.set(key, settled);
    void settled.then(() => {
      if (this.pending.get(key) === settled) this.pending.delete(key);
    });
    // The refusal is held back after the failure is counted, outside the queue: the next attempt
    // is checked against it at once (a burst still stops at the lockout), and nothing else waits.
    return attempt.then(({ result, holdMs }) => (holdMs > 0 ? this.after(holdMs, result) : result));
  }

  /** `value`, `ms` later on the injected clock. */
  private after<T>(ms: number, value: T): Promise<T> {
    return new Promise((resolve) => this.o.clock.setTimeout(() => resolve(value), ms));
  }

  /** The answer, and how long to hold it back (a wrong password from an address that keeps failing). */
  private async loginNow(
    staffId: string,
    password: string,
    client: string,
  ): Promise<{ result: LoginResult; holdMs: number }> {
    const { store, clock, throttle } = this.o;
    const verdict = throttle.check(client, staffId);
    if (!verdict.allowed) {
      store.audit({ at: clock.now(), actor: staffId, action: 'login-failed', subject: 'locked', client });
      return { result: { ok: false, reason: 'locked', retryInMs: verdict.retryInMs }, holdMs: 0 };
    }
    const staff = this.o.register.staff(staffId);
    const account = staff ? store.account(staffId) : undefined;
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyHash()));
    const at = clock.now();
    if (!ok || !staff || !account) {
      const { lockedOut, delayMs } = throttle.failed(client, staffId);
      store.audit({
        at,
        actor: staffId,
        action: lockedOut ? 'locked-out' : 'login-failed',
        subject: '',
        client,
      });
      return { result: { ok: false, reason: 'invalid' }, holdMs: delayMs };
    }
    throttle.succeeded(client, staffId);
    const sessionId = randomId();
    const csrfToken = randomId();
    store.transaction(() => {
      store.addSession(sha256(sessionId), staffId, csrfToken, at);
      store.audit({ at, actor: staffId, action: 'login', subject: '', client });
    });
    return { result: { ok: true, sessionId, csrfToken, staffId, role: roleOf(staff) }, holdMs: 0 };
  }

  /**
   * The session behind a cookie, if it is still valid. The role is read from the register now,
   * not from the login: a supervisor demoted in the site file is a carer from the next request.
   */
  session(sessionId: string): Extract<ConsolePrincipal, { kind: 'session' }> | undefined {
    const { store, clock, settings } = this.o;
    const idHash = sha256(sessionId);
    const row = store.session(idHash);
    if (!row) return undefined;
    const now = clock.now();
    const expired =
      now - row.seenAt > settings.sessionIdleH * 3_600_000 ||
      now - row.createdAt > settings.sessionMaxDays * 86_400_000 ||
      now < row.createdAt; // a clock stepped back before the login: do not trust the session
    const staff = this.o.register.staff(row.staffId);
    if (expired || !staff) {
      unlessStorageFails(() => store.dropSession(idHash)); // ended either way: dropped at the next check
      return undefined;
    }
    if (now - row.seenAt >= TOUCH_EVERY_MS) unlessStorageFails(() => store.touchSession(idHash, now));
    return { kind: 'session', staffId: row.staffId, role: roleOf(staff), csrfToken: row.csrfToken };
  }

  logout(sessionId: string, client: string): void {
    const { store, clock } = this.o;
    const idHash = sha256(sessionId);
    const row = store.session(idHash);
    if (!row) return;
    store.transaction(() => {
      store.dropSession(idHash);
      store.audit({ at: clock.now(), actor: row.staffId, action: 'logout', subject: '', client });
    });
  }

  /** Drops expired sessions (housekeeping; an expired one is refused anyway). */
  dropExpiredSessions(): number {
    const { store, clock, settings } = this.o;
    const now = clock.now();
    return store.dropExpiredSessions(
      now - settings.sessionIdleH * 3_600_000,
      now - settings.sessionMaxDays * 86_400_000,
    );
  }

  /** A new machine token: shown once, stored hashed. Returns the problem, if refused. */
  createToken(
    name: string,
    role: ConsoleRole,
    actor: string,
  ): { ok: true; id: number; token: string } | { ok: false; problem: string } {
    const { store, clock } = this.o;
    if (!TOKEN_NAME.test(name))
      return { ok: false, problem: 'name: must be 1-64 letters, digits, "_" or "-"' };
    if (store.tokens().some((t) => t.name === name))
      return { ok: false, problem: `name: a token "${name}" exists already` };
    const token = TOKEN_PREFIX + randomId();
    const at = clock.now();
    const id = store.transaction(() => {
      const id = store.addToken(name, sha256(token), role, at, actor);
      store.audit({ at, actor, action: 'token-created', subject: `${name} (${role})`, client: '' });
      return id;
    });
    return { ok: true, id, token };
  }

  /** The token's principal, if it is one and not revoked. */
  token(token: string): Extract<ConsolePrincipal, { kind: 'token' }> | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = this.o.store.tokenByHash(sha256(token));
    if (!row || row.revokedAt !== null) return undefined;
    return { kind: 'token', tokenId: row.id, name: row.name, role: row.role };
  }

  /**
   * An administrator's act outside accounts (the rules reload over HTTP), in the same append-only
   * audit: who (`staff:<id>` or `token:<name>`), what, on what, from which address.
   */
  recordAdminAction(
    actor: string,
    action: Extract<AuthAuditAction, 'rules-reloaded' | 'rules-reload-refused'>,
    subject: string,
    client: string,
  ): void {
    this.o.store.audit({ at: this.o.clock.now(), actor, action, subject, client });
  }

  tokens(): TokenRow[] {
    return this.o.store.tokens();
  }

  revokeToken(id: number, actor: string): boolean {
    const { store, clock } = this.o;
    const at = clock.now();
    return store.transaction(() => {
      const done = store.revokeToken(id, at);
      if (done) store.audit({ at, actor, action: 'token-revoked', subject: String(id), client: '' });
      return done;
    });
  }
}
