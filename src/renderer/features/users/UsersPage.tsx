/**
 * Accounts (administrators only): add, change role (after a confirmation), reset a password, deactivate, clear a
 * lockout. The server enforces all of it.
 */
import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { fmtDateTime } from '../../lib/format.ts';
import { Button, ErrorPanel, FormMessage, PageHeader, Section, SelectField, SkeletonRows, TextField } from '../../components/ui.tsx';
import { ROLE_LABEL, isAdmin, useSession } from '../../lib/session.tsx';
import { ROLES, type Role } from '../../../shared/contract/index.ts';
import { ConfirmRoleChange, ResetPasswordForm, type PendingRole } from './UserConfirmations.tsx';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('pathologist');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [success, setSuccess] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSuccess(null);
    try {
      const u = await call('users.add', { username, displayName, role, password });
      setSuccess(`Account ${u.username} created as ${ROLE_LABEL[u.role]}.`);
      setUsername('');
      setDisplayName('');
      setPassword('');
      onAdded();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack" noValidate aria-label="Add an account">
      <TextField label="Username" name="new-username" autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
      <TextField label="Display name" name="new-displayName" autoComplete="off" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
      <SelectField label="Role" name="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)} options={ROLE_OPTIONS}
        hint="Viewers can read everything but change nothing; pathologists edit cases and sign reports; administrators manage accounts and settings." />
      <TextField label="Initial password" name="new-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} hint="At least 10 characters; give it to the person in private." />
      <FormMessage error={error} success={success} />
      <Button type="submit" variant="primary" busy={busy} disabled={!username || !displayName || !password}>Add account</Button>
    </form>
  );
}

export function UsersPage() {
  const { user: me } = useSession();
  const { data, error, loading, reload } = useAsync(() => call('users.list', {}), []);
  const [rowError, setRowError] = useState<string | null>(null);
  const [rowSuccess, setRowSuccess] = useState<string | null>(null);
  const [pendingRole, setPendingRole] = useState<PendingRole | null>(null);
  const [resetFor, setResetFor] = useState<{ id: number; username: string } | null>(null);
  if (!isAdmin(me.role)) return <div className="page"><ErrorPanel message="Only administrators manage accounts." /></div>;

  const update = async (req: { id: number; role?: Role; active?: boolean; unlock?: boolean }) => {
    setRowError(null);
    setRowSuccess(null);
    try {
      await call('users.update', req);
      reload();
    } catch (err) {
      setRowError(errorMessage(err));
    }
  };

  return (
    <div className="page">
      <PageHeader title="Users" subtitle="Local accounts on this workstation. Every change is recorded in the audit log." />
      <div className="two-col">
        <Section title="Accounts">
          {error && <ErrorPanel message={error} onRetry={reload} />}
          {(rowError || rowSuccess) && <FormMessage error={rowError} success={rowSuccess} />}
          {pendingRole && (
            <ConfirmRoleChange pending={pendingRole} onCancel={() => setPendingRole(null)}
              onConfirm={() => { const p = pendingRole; setPendingRole(null); void update({ id: p.id, role: p.to }); }} />
          )}
          {resetFor && (
            <ResetPasswordForm key={resetFor.id} user={resetFor} onCancel={() => setResetFor(null)}
              onDone={(m) => { setResetFor(null); setRowError(null); setRowSuccess(m); reload(); }} />
          )}
          <div className="table-wrap table-flush" aria-busy={loading}>
            <table className="table">
              <caption className="visually-hidden">Accounts</caption>
              <thead>
                <tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
              </thead>
              <tbody>
                {!data && loading && <SkeletonRows cols={5} rows={3} />}
                {data?.users.map((u) => {
                  const self = u.id === me.id;
                  const locked = u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now();
                  return (
                    <tr key={u.id}>
                      <td><div className="strong">{u.displayName}</div><div className="muted mono">{u.username}</div></td>
                      <td>
                        <label className="visually-hidden" htmlFor={`role-${u.id}`}>Role of {u.username}</label>
                        <select id={`role-${u.id}`} value={pendingRole?.id === u.id ? pendingRole.to : u.role} disabled={self}
                          onChange={(e) => { const to = e.target.value as Role; setPendingRole(to === u.role ? null : { id: u.id, username: u.username, from: u.role, to }); }}>
                          {ROLE_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                        </select>
                      </td>
                      <td>
                        {!u.active ? <span className="outcome outcome-denied">Deactivated</span> : locked ? <span className="outcome outcome-failure">Locked until {fmtDateTime(u.lockedUntil)}</span> : <span className="outcome outcome-success">Active</span>}
                      </td>
                      <td className="nowrap">{fmtDateTime(u.createdAt)}</td>
                      <td className="row-actions row-actions-wrap">
                        {locked && <Button variant="ghost" onClick={() => void update({ id: u.id, unlock: true })}>Clear lockout</Button>}
                        {!self && <Button variant="ghost" aria-label={`Reset password of ${u.username}`} onClick={() => { setRowSuccess(null); setResetFor({ id: u.id, username: u.username }); }}>Reset password</Button>}
                        {!self && (u.active
                          ? <Button variant="ghost" onClick={() => void update({ id: u.id, active: false })}>Deactivate</Button>
                          : <Button variant="ghost" onClick={() => void update({ id: u.id, active: true })}>Reactivate</Button>)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Section>
        <Section title="Add an account">
          <AddUser onAdded={reload} />
        </Section>
      </div>
    </div>
  );
}
