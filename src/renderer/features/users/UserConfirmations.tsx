/**
 * Confirmations on the Users page (issue 14 item 5): a role change says what it changes and waits for a second
 * click; a password reset asks for the new password and says it must be changed at the next sign-in.
 */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, TextField } from '../../components/ui.tsx';
import { ROLE_LABEL } from '../../lib/session.tsx';
import type { Role } from '../../../shared/contract/index.ts';

export interface PendingRole {
  id: number;
  username: string;
  from: Role;
  to: Role;
}

export function ConfirmRoleChange({ pending, onConfirm, onCancel }: { pending: PendingRole; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div className="confirm-bar" role="group" aria-label="Confirm role change">
      <p>
        Change the role of <strong>{pending.username}</strong> from {ROLE_LABEL[pending.from]} to <strong>{ROLE_LABEL[pending.to]}</strong>?
        {' '}This changes what the account can see and do from its next action on; it is recorded in the audit log.
      </p>
      <div className="confirm-actions">
        <Button variant="primary" onClick={onConfirm}>Change role</Button>
        <Button variant="ghost" onClick={onCancel}>Cancel</Button>
      </div>
    </div>
  );
}

export function ResetPasswordForm({ user, onDone, onCancel }: { user: { id: number; username: string }; onDone: (message: string) => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call('users.resetPassword', { id: user.id, password });
      onDone(`New password set for ${user.username}; they must choose their own at the next sign-in.`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <form className="confirm-bar stack" onSubmit={submit} noValidate aria-label={`Reset the password of ${user.username}`}>
      <p>Set a temporary password for <strong>{user.username}</strong>. Give it to them in private; they must replace it when they next sign in. A lockout is cleared too.</p>
      <TextField label="Temporary password" name="reset-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} hint="At least 10 characters, not containing the user name." autoFocus />
      <FormMessage error={error} />
      <div className="confirm-actions">
        <Button type="submit" variant="primary" busy={busy} disabled={password.length === 0}>Reset password</Button>
        <Button variant="ghost" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
