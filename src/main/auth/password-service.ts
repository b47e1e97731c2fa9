/**
 * Password changes (issue 14 item 5). The password an administrator types for someone (new account, reset) is
 * known to two people, so it only lets its user in to choose their own: `must_change_password` (migration 0050)
 * is set for it and cleared by the user's own change. Every change and reset is audited; no password or hash is
 * ever written to the audit log.
 */
import type { Db } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import type { UsersService } from './users-service.ts';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import { hashPassword } from './password.ts';

interface PasswordRow {
  id: number;
  username: string;
  password_hash: string;
  must_change_password: number;
  active: number;
}

/** Rules beyond the length the contract checks: not the user name, not the password being replaced. */
export function newPasswordProblem(username: string, next: string): string | null {
  if (next.toLowerCase().includes(username.toLowerCase())) return 'The new password must not contain the user name.';
  return null;
}

export class PasswordService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly users: UsersService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async row(id: number): Promise<PasswordRow> {
    const r = await this.db.get<PasswordRow>('SELECT id, username, password_hash, must_change_password, active FROM users WHERE id = ?', [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No user with id ${id}.`);
    return r;
  }

  async mustChange(userId: number): Promise<boolean> {
    return (await this.row(userId)).must_change_password === 1;
  }

  /**
   * The user's own change. The current password is checked like a re-authentication (a wrong one counts towards
   * the lockout and is audited), so an unlocked screen left alone cannot be used to take over the account.
   */
  async change(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const problem = newPasswordProblem(actor.username, newPassword);
    if (problem) throw badInput(problem);
    if (newPassword === currentPassword) throw badInput('Choose a password different from the current one.');
    try {
      await this.users.authenticate(actor.username, currentPassword, 'sign');
    } catch (err) {
      // Not UNAUTHENTICATED/LOCKED: those codes mean "the session is gone" to every shell, and it is not.
      if (err instanceof GliofuseError && err.code === 'UNAUTHENTICATED') throw new GliofuseError('FORBIDDEN', 'The current password is wrong.');
      if (err instanceof GliofuseError && err.code === 'LOCKED') throw new GliofuseError('FORBIDDEN', err.message);
      throw err;
    }
    const hash = await hashPassword(newPassword);
    await this.db.transaction(async (tx) => {
      const before = await tx.get<{ must_change_password: number }>('SELECT must_change_password FROM users WHERE id = ?', [actor.userId]);
      await tx.run('UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ? WHERE id = ?', [hash, this.now().toISOString(), actor.userId]);
      await this.audit.appendTx(tx, actor, {
        action: 'user.password_changed', entityType: 'user', entityId: actor.userId,
        reason: before?.must_change_password === 1 ? 'replaced the password an administrator set' : 'changed by the user',
      });
    });
  }

  /** An administrator sets a new password for someone else; it must be changed at that user's next sign-in. */
  async reset(actor: Actor, id: number, password: string): Promise<void> {
    if (id === actor.userId) throw badInput('Use "Change my password" for your own account.');
    const target = await this.row(id);
    const problem = newPasswordProblem(target.username, password);
    if (problem) throw badInput(problem);
    const hash = await hashPassword(password);
    await this.db.transaction(async (tx) => {
      // A reset also clears a lockout: the person locked out is usually the one who asked for it.
      await tx.run('UPDATE users SET password_hash = ?, must_change_password = 1, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?',
        [hash, this.now().toISOString(), id]);
      await this.audit.appendTx(tx, actor, { action: 'user.password_reset', entityType: 'user', entityId: id, reason: `new password set for ${target.username}; to be changed at the next sign-in` });
    });
  }
}
