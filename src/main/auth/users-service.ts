/**
 * Local accounts: first-run admin, login with lockout after repeated failures, role changes. Every outcome
 * (including failed logins) is audited; failed-login events never record the attempted password.
 */
import type { Db, Tx } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { Role } from '../../shared/contract/define.ts';
import type { User } from '../../shared/contract/auth.ts';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { SettingsService } from '../settings/settings-service.ts';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  active: number;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
}

export function toUser(r: UserRow): User {
  return { id: r.id, username: r.username, displayName: r.display_name, role: r.role, active: r.active === 1, lockedUntil: r.locked_until, createdAt: r.created_at };
}
export function toActor(r: Pick<UserRow, 'id' | 'username' | 'display_name' | 'role'>): Actor {
  return { userId: r.id, username: r.username, displayName: r.display_name, role: r.role };
}

const setupDone = () => new GliofuseError('CONFLICT', 'Set-up is already complete; ask an administrator for an account.');

/**
 * The audit reason for a sign-in with a name that matches no account. The text typed is never stored (it is often
 * a password typed into the wrong field); its length is, so repeated probing is still visible.
 */
export function unknownUserReason(typed: string): string {
  return `unknown user name (${[...typed].length} characters; not recorded)`;
}

// A fixed dummy hash so that "unknown user" costs as much time as "wrong password" (no username probing by timing).
let dummyHash: Promise<string> | undefined;

export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly settings: SettingsService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async count(): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users'))?.n ?? 0;
  }

  async needsSetup(): Promise<boolean> {
    return (await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1"))?.n === 0;
  }

  async list(): Promise<User[]> {
    return (await this.db.all<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser);
  }

  async byId(id: number): Promise<User> {
    const r = await this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No user with id ${id}.`);
    return toUser(r);
  }

  async actorByUsername(username: string): Promise<Actor> {
    const r = await this.db.get<UserRow>('SELECT * FROM users WHERE username = ? AND active = 1', [username]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No active user named "${username}".`);
    return toActor(r);
  }

  /**
   * First run only: refuses once an active admin exists, so the public set-up channel cannot mint admins later.
   * The "no admin yet" check runs inside the insert's IMMEDIATE transaction: of several first-run calls racing
   * (two windows, four CLI processes), exactly one creates the admin and the others get CONFLICT.
   */
  async setupAdmin(input: { username: string; displayName: string; password: string }): Promise<Actor> {
    if (!(await this.needsSetup())) throw setupDone();
    const user = await this.insert(null, { ...input, role: 'admin' }, 'user.setup_admin', async (tx) => {
      const admins = (await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1"))?.n ?? 0;
      if (admins > 0) throw setupDone();
    });
    return { userId: user.id, username: user.username, displayName: user.displayName, role: user.role };
  }

  async add(actor: Actor | null, input: { username: string; displayName: string; role: Role; password: string }): Promise<User> {
    return this.insert(actor, input, 'user.created');
  }

  private async insert(actor: Actor | null, input: { username: string; displayName: string; role: Role; password: string }, action: string, guard?: (tx: Tx) => Promise<void>): Promise<User> {
    const hash = await hashPassword(input.password);
    const ts = this.now().toISOString();
    return this.db.transaction(async (tx) => {
      if (guard) await guard(tx);
      const exists = await tx.get('SELECT 1 FROM users WHERE username = ?', [input.username]);
      if (exists) throw new GliofuseError('CONFLICT', `A user named "${input.username}" already exists.`);
      const { lastID } = await tx.run(
        'INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        [input.username, input.displayName, input.role, hash, ts, ts],
      );
      const row = (await tx.get<UserRow>('SELECT * FROM users WHERE id = ?', [lastID]))!;
      const user = toUser(row);
      await this.audit.appendTx(tx, actor ?? toActor(row), { action, entityType: 'user', entityId: user.id, after: { username: user.username, displayName: user.displayName, role: user.role } });
      return user;
    });
  }

  async update(actor: Actor, input: { id: number; role?: Role; active?: boolean; displayName?: string; unlock?: boolean }): Promise<User> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get<UserRow>('SELECT * FROM users WHERE id = ?', [input.id]);
      if (!row) throw new GliofuseError('NOT_FOUND', `No user with id ${input.id}.`);
      const before = toUser(row);
      const demotesLastAdmin = row.role === 'admin' && ((input.role && input.role !== 'admin') || input.active === false);
      if (demotesLastAdmin) {
        const admins = (await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1"))?.n ?? 0;
        if (admins <= 1) throw badInput('This is the last active administrator; create another administrator first.');
      }
      await tx.run(
        `UPDATE users SET role = ?, active = ?, display_name = ?, failed_logins = CASE WHEN ? THEN 0 ELSE failed_logins END,
          locked_until = CASE WHEN ? THEN NULL ELSE locked_until END, updated_at = ? WHERE id = ?`,
        [input.role ?? row.role, input.active === undefined ? row.active : input.active ? 1 : 0, input.displayName ?? row.display_name,
          input.unlock ? 1 : 0, input.unlock ? 1 : 0, this.now().toISOString(), input.id],
      );
      const after = toUser((await tx.get<UserRow>('SELECT * FROM users WHERE id = ?', [input.id]))!);
      await this.audit.appendTx(tx, actor, { action: 'user.updated', entityType: 'user', entityId: input.id, before, after });
      return after;
    });
  }

  /**
   * Checks a password. Wrong passwords count towards a temporary lockout (settings.maxFailedLogins within
   * settings.lockoutMinutes); the failure, the lockout and the success are each audited.
   *
   * The lock is decided inside one IMMEDIATE transaction that re-reads the account after the (slow, parallel)
   * password check: the failure count is incremented in the database, never from a copy read before the check,
   * so N parallel wrong guesses yield exactly maxFailedLogins "wrong password" answers and LOCKED after that
   * (a correct guess that arrives after the lock is refused too, so parallel guessing learns nothing).
   *
   * An unknown user name is never recorded in clear: people type passwords into the user name field, and the
   * audit log is append-only and exported. The event keeps only its length (docs/input-validation.md).
   */
  async authenticate(username: string, password: string, purpose: 'login' | 'unlock' | 'sign' = 'login'): Promise<Actor> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
    const action = purpose === 'login' ? 'auth.login' : purpose === 'unlock' ? 'auth.unlock' : 'auth.reauthenticate';
    const invalid = new GliofuseError('UNAUTHENTICATED', 'Wrong user name or password.');
    if (!row || row.active !== 1) {
      await verifyPassword(password, await (dummyHash ??= hashPassword('dummy-password-for-timing')));
      await this.audit.append(null, { action, outcome: 'failure', reason: row ? `inactive account ${row.username}` : unknownUserReason(username) });
      throw invalid;
    }
    const lockedError = (until: string) => new GliofuseError('LOCKED', `Too many failed attempts; try again after ${new Date(until).toLocaleTimeString()} or ask an administrator.`);
    if (row.locked_until && new Date(row.locked_until) > this.now()) {
      await this.audit.append(toActor(row), { action, entityType: 'user', entityId: row.id, outcome: 'denied', reason: 'account temporarily locked after repeated failures' });
      throw lockedError(row.locked_until);
    }
    const ok = await verifyPassword(password, row.password_hash);
    const { maxFailedLogins, lockoutMinutes } = this.settings.current();
    const outcome = await this.db.transaction(async (tx: Tx): Promise<{ kind: 'ok'; actor: Actor } | { kind: 'wrong' } | { kind: 'locked'; until: string }> => {
      // Re-read under the write lock: other guesses may have counted or locked since the first read.
      const cur = await tx.get<UserRow>('SELECT * FROM users WHERE id = ?', [row.id]);
      const now = this.now();
      if (!cur || cur.active !== 1) {
        await this.audit.appendTx(tx, null, { action, outcome: 'failure', reason: `inactive account ${row.username}` });
        return { kind: 'wrong' };
      }
      if (cur.locked_until && new Date(cur.locked_until) > now) {
        await this.audit.appendTx(tx, toActor(cur), { action, entityType: 'user', entityId: cur.id, outcome: 'denied', reason: 'account temporarily locked after repeated failures' });
        return { kind: 'locked', until: cur.locked_until };
      }
      if (ok) {
        await tx.run('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?', [cur.id]);
        await this.audit.appendTx(tx, toActor(cur), { action, entityType: 'user', entityId: cur.id });
        return { kind: 'ok', actor: toActor(cur) };
      }
      const failures = cur.failed_logins + 1;
      const lock = failures >= maxFailedLogins ? new Date(now.getTime() + lockoutMinutes * 60_000).toISOString() : null;
      await tx.run('UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?', [lock ? 0 : failures, lock, cur.id]);
      await this.audit.appendTx(tx, toActor(cur), { action, entityType: 'user', entityId: cur.id, outcome: 'failure', reason: lock ? `wrong password; account locked until ${lock}` : `wrong password (${failures} of ${maxFailedLogins})` });
      return { kind: 'wrong' };
    });
    if (outcome.kind === 'locked') throw lockedError(outcome.until);
    if (outcome.kind === 'wrong') throw invalid;
    return outcome.actor;
  }
}
