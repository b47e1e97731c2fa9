/**
 * "Change my password" (issue 14 item 5): used by the forced screen after a sign-in with a password someone else
 * chose, and by the page reached from the left rail. The server checks the current password like a
 * re-authentication and audits the change.
 */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, TextField } from '../../components/ui.tsx';

export function ChangePasswordForm({ username, submitLabel, onDone }: { username: string; submitLabel: string; onDone: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // The same rules the server applies, said before the round trip.
    if (next.length < 10) return setError('The new password needs at least 10 characters.');
    if (next !== repeat) return setError('The two new passwords differ; type the same password twice.');
    if (next === current) return setError('Choose a password different from the current one.');
    if (next.toLowerCase().includes(username.toLowerCase())) return setError('The new password must not contain the user name.');
    setBusy(true);
    setError(null);
    try {
      await call('auth.changePassword', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setRepeat('');
      setBusy(false);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack" noValidate aria-label="Change password">
      <TextField label="Current password" name="current-password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} autoFocus />
      <TextField label="New password" name="new-password" type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} hint="At least 10 characters, not containing your user name." />
      <TextField label="Repeat new password" name="repeat-password" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      <FormMessage error={error} />
      <Button type="submit" variant="primary" busy={busy} disabled={!current || !next || !repeat}>{submitLabel}</Button>
    </form>
  );
}
