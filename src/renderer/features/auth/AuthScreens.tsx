/** First-run admin set-up, sign-in and the inactivity lock screen. All sit under the RUO banner. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { call, errorMessage } from '../../api.ts';
import { Button, FormMessage, TextField } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import type { ResponseOf } from '../../../shared/contract/index.ts';
import { ChangePasswordForm } from '../account/ChangePasswordForm.tsx';

type SessionInfo = ResponseOf<'auth.login'>;

function AuthCard({ title, lead, children }: { title: string; lead: ReactNode; children: ReactNode }) {
  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">G</span>
          <span className="brand-name">Gliofuse</span>
        </div>
        <h1>{title}</h1>
        <p className="auth-lead">{lead}</p>
        {children}
      </div>
    </main>
  );
}

export function SetupScreen({ onDone }: { onDone: (s: SessionInfo) => void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 10) return setError('The password needs at least 10 characters.');
    if (password !== confirm) return setError('The two passwords differ; type the same password twice.');
    setBusy(true);
    setError(null);
    try {
      onDone(await call('auth.setupAdmin', { username, displayName, password }));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Set up the administrator" lead="This is the first start on this computer. Create the administrator account; it manages users and settings. Everything stays on this machine.">
      <form onSubmit={submit} className="stack" noValidate>
        <TextField label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} hint="Letters, digits, dot, dash and underscore." autoFocus />
        <TextField label="Display name" name="displayName" autoComplete="name" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} hint="Shown in the audit log next to everything this account does." />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} hint="At least 10 characters." />
        <TextField label="Repeat password" name="confirm" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        <FormMessage error={error} />
        <Button type="submit" variant="primary" busy={busy} className="btn-block">Create administrator and sign in</Button>
      </form>
    </AuthCard>
  );
}

export function LoginScreen({ onDone }: { onDone: (s: SessionInfo) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(await call('auth.login', { username, password }));
    } catch (err) {
      setError(errorMessage(err));
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in" lead="Use your Gliofuse account on this workstation.">
      <form onSubmit={submit} className="stack" noValidate>
        <TextField label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <FormMessage error={error} />
        <Button type="submit" variant="primary" busy={busy} className="btn-block" disabled={!username || !password}>Sign in</Button>
      </form>
    </AuthCard>
  );
}

export function LockScreen({ userName, onUnlocked, onSignOut }: { userName: string | null; onUnlocked: (s: SessionInfo) => void; onSignOut: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onUnlocked(await call('auth.unlock', { password }));
    } catch (err) {
      setError(errorMessage(err));
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <AuthCard
      title="Session locked"
      lead={<><Icon name="lock" size={16} /> {userName ? <>Locked for <strong>{userName}</strong> after inactivity or on request.</> : 'Locked after inactivity or on request.'} Enter the password to continue where you left off.</>}
    >
      <form onSubmit={submit} className="stack" noValidate>
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
        <FormMessage error={error} />
        <Button type="submit" variant="primary" busy={busy} className="btn-block" disabled={!password}>Unlock</Button>
        <Button variant="ghost" className="btn-block" onClick={onSignOut}>Sign out instead</Button>
      </form>
    </AuthCard>
  );
}

/**
 * After a sign-in with a password someone else chose (a new account, a reset): nothing else is shown until the user
 * picks their own (issue 14 item 5).
 */
export function ForcedPasswordChangeScreen({ session, onDone, onSignOut }: { session: SessionInfo; onDone: () => void; onSignOut: () => void }) {
  return (
    <AuthCard title="Choose your own password" lead={<>Signed in as <strong>{session.user.displayName}</strong> with a password an administrator set. Choose a new one that only you know before you continue.</>}>
      <ChangePasswordForm username={session.user.username} submitLabel="Change password and continue" onDone={onDone} />
      <Button variant="ghost" className="btn-block" onClick={onSignOut}>Sign out instead</Button>
    </AuthCard>
  );
}
