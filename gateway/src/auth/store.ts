import { type Db, migrate } from '../core/db.js';
import type { ConsoleRole } from './roles.js';

const migrations = [
  {
    name: 'auth-1',
    sql: `
      -- A staff member's console password: apart from the handset's MQTT secret (register).
      CREATE TABLE auth_accounts (
        staff_id TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        changed_at INTEGER NOT NULL
      );
      -- Only a hash of the session id is stored: a copy of the card gives no live session.
      CREATE TABLE auth_sessions (
        id_hash TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL
      );
      CREATE INDEX auth_sessions_staff ON auth_sessions (staff_id);
      CREATE TABLE auth_tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        token_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('staff', 'supervisor', 'admin')),
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at INTEGER
      );
      -- Who logged in, failed, was locked out, changed a password, made or revoked a token.
      CREATE TABLE auth_audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        client TEXT NOT NULL DEFAULT ''
      );
      CREATE TRIGGER auth_audit_no_update BEFORE UPDATE ON auth_audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TRIGGER auth_audit_no_delete BEFORE DELETE ON auth_audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    `,
  },
  {
    // The site file's console password hash last applied to the account (register-8's column):
    // the site file sets a password again only when its value changes (Accounts.applySitePasswords).
    name: 'auth-2',
    sql: 'ALTER TABLE auth_accounts ADD COLUMN site_hash TEXT',
  },
];

export interface AccountRow {
  staffId: string;
  passwordHash: string;
  changedAt: number;
}

export interface SessionRow {
  staffId: string;
  csrfToken: string;
  createdAt: number;
  seenAt: number;
}

export interface TokenRow {
  id: number;
  name: string;
  role: ConsoleRole;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
}

export type AuthAuditAction =
  | 'login'
  | 'login-failed'
  | 'locked-out'
  | 'logout'
  | 'password-set'
  | 'token-created'
  | 'token-revoked'
  | 'rules-reloaded'
  | 'rules-reload-refused';

export interface AuthAuditRow {
  id: number;
  at: number;
  actor: string;
  action: AuthAuditAction;
  subject: string;
  client: string;
}

/** The auth tables in the gateway's SQLite file: accounts, sessions, tokens, the auth audit. */
export class AuthStore {
  constructor(private readonly db: Db) {
    migrate(db, migrations);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  account(staffId: string): AccountRow | undefined {
    return this.db
      .prepare(
        'SELECT staff_id AS staffId, password_hash AS passwordHash, changed_at AS changedAt FROM auth_accounts WHERE staff_id = ?',
      )
      .get(staffId) as AccountRow | undefined;
  }

  setPassword(staffId: string, hash: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO auth_accounts (staff_id, password_hash, changed_at) VALUES (?, ?, ?)
         ON CONFLICT (staff_id) DO UPDATE SET password_hash = excluded.password_hash,
           changed_at = excluded.changed_at`,
      )
      .run(staffId, hash, at);
  }

  /**
   * Staff whose site file entry carries a console password hash that has not been applied to
   * their account (no account, or another value applied last). Reads the register's column.
   */
  unappliedSitePasswords(): { staffId: string; hash: string }[] {
    return this.db
      .prepare(
        `SELECT s.id AS staffId, s.console_password_hash AS hash FROM register_staff s
         LEFT JOIN auth_accounts a ON a.staff_id = s.id
         WHERE s.console_password_hash IS NOT NULL
           AND (a.site_hash IS NULL OR a.site_hash <> s.console_password_hash)`,
      )
      .all() as { staffId: string; hash: string }[];
  }

  /** Sets the password from the site file and remembers that value as applied. */
  applySitePassword(staffId: string, hash: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO auth_accounts (staff_id, password_hash, changed_at, site_hash) VALUES (?, ?, ?, ?)
         ON CONFLICT (staff_id) DO UPDATE SET password_hash = excluded.password_hash,
           changed_at = excluded.changed_at, site_hash = excluded.site_hash`,
      )
      .run(staffId, hash, at, hash);
  }

  addSession(idHash: string, staffId: string, csrfToken: string, at: number): void {
    this.db
      .prepare(
        'INSERT INTO auth_sessions (id_hash, staff_id, csrf_token, created_at, seen_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(idHash, staffId, csrfToken, at, at);
  }

  session(idHash: string): SessionRow | undefined {
    return this.db
      .prepare(
        'SELECT staff_id AS staffId, csrf_token AS csrfToken, created_at AS createdAt, seen_at AS seenAt FROM auth_sessions WHERE id_hash = ?',
      )
      .get(idHash) as SessionRow | undefined;
  }

  touchSession(idHash: string, at: number): void {
    this.db.prepare('UPDATE auth_sessions SET seen_at = ? WHERE id_hash = ?').run(at, idHash);
  }

  dropSession(idHash: string): void {
    this.db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?').run(idHash);
  }

  dropSessionsOf(staffId: string): void {
    this.db.prepare('DELETE FROM auth_sessions WHERE staff_id = ?').run(staffId);
  }

  /** Sessions idle since `idleBefore` or created before `createdBefore`. */
  dropExpiredSessions(idleBefore: number, createdBefore: number): number {
    return this.db
      .prepare('DELETE FROM auth_sessions WHERE seen_at < ? OR created_at < ?')
      .run(idleBefore, createdBefore).changes;
  }

  addToken(name: string, tokenHash: string, role: ConsoleRole, at: number, createdBy: string): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO auth_tokens (name, token_hash, role, created_at, created_by) VALUES (?, ?, ?, ?, ?)',
        )
        .run(name, tokenHash, role, at, createdBy).lastInsertRowid,
    );
  }

  tokenByHash(tokenHash: string): TokenRow | undefined {
    return this.db
      .prepare(
        `SELECT id, name, role, created_at AS createdAt, created_by AS createdBy, revoked_at AS revokedAt
           FROM auth_tokens WHERE token_hash = ?`,
      )
      .get(tokenHash) as TokenRow | undefined;
  }

  tokens(): TokenRow[] {
    return this.db
      .prepare(
        `SELECT id, name, role, created_at AS createdAt, created_by AS createdBy, revoked_at AS revokedAt
           FROM auth_tokens ORDER BY id`,
      )
      .all() as TokenRow[];
  }

  revokeToken(id: number, at: number): boolean {
    return (
      this.db.prepare('UPDATE auth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
        .changes === 1
    );
  }

  audit(row: Omit<AuthAuditRow, 'id'>): void {
    this.db
      .prepare('INSERT INTO auth_audit (at, actor, action, subject, client) VALUES (?, ?, ?, ?, ?)')
      .run(row.at, row.actor, row.action, row.subject, row.client);
  }

  auditPage(afterId: number, limit: number): AuthAuditRow[] {
    return this.db
      .prepare(
        'SELECT id, at, actor, action, subject, client FROM auth_audit WHERE id > ? ORDER BY id LIMIT ?',
      )
      .all(afterId, limit) as AuthAuditRow[];
  }
}
