/** Issue 14 item 5: forced change of an administrator-chosen password, own change, admin reset — all audited. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startTestApp } from '../../helpers/temp-services.ts';

test('an account the admin creates must change its password; the first-run admin need not', async () => {
  const app = await startTestApp();
  assert.deepEqual(await app.call('auth.passwordState', {}), { mustChange: false });
  await app.login('petra', 'pathologist');
  assert.deepEqual(await app.call('auth.passwordState', {}, 'petra'), { mustChange: true });

  // Wrong current password: refused without signing the session out, and audited as a failed re-authentication.
  const wrong = await app.raw('auth.changePassword', { currentPassword: 'not the password', newPassword: 'a brand new secret 1' }, 'petra');
  assert.equal(!wrong.ok && wrong.error.code, 'FORBIDDEN');
  assert.equal(!wrong.ok && wrong.error.message, 'The current password is wrong.');
  // Same as before, or containing the user name: refused with the reason.
  const same = await app.raw('auth.changePassword', { currentPassword: PASSWORD, newPassword: PASSWORD }, 'petra');
  assert.equal(!same.ok && same.error.code, 'BAD_INPUT');
  const named = await app.raw('auth.changePassword', { currentPassword: PASSWORD, newPassword: 'Petra-is-my-name-1' }, 'petra');
  assert.equal(!named.ok && named.error.message, 'The new password must not contain the user name.');

  await app.call('auth.changePassword', { currentPassword: PASSWORD, newPassword: 'a brand new secret 1' }, 'petra');
  assert.deepEqual(await app.call('auth.passwordState', {}, 'petra'), { mustChange: false });
  const old = await app.raw('auth.login', { username: 'petra', password: PASSWORD }, 'petra-2');
  assert.equal(old.ok, false);
  await app.call('auth.login', { username: 'petra', password: 'a brand new secret 1' }, 'petra-3');

  const { events } = await app.call('audit.list', { action: 'user.password', limit: 10, offset: 0 });
  assert.deepEqual(events.map((e) => [e.action, e.userName]), [['user.password_changed', 'petra (test)']]);
  assert.ok(!JSON.stringify(events).includes('brand new secret'), 'no password in the audit log');
  await app.close();
});

test('an admin resets a password (audited, clears a lockout, forces a change); only admins, never their own', async () => {
  const app = await startTestApp();
  await app.login('vic', 'viewer');
  const users = (await app.call('users.list', {})).users;
  const vic = users.find((u) => u.username === 'vic')!;
  const admin = users.find((u) => u.username === 'admin')!;
  await app.call('auth.changePassword', { currentPassword: PASSWORD, newPassword: 'my own choice here 7' }, 'vic');
  await app.s.db.run("UPDATE users SET locked_until = '2999-01-01T00:00:00.000Z' WHERE username = 'vic'");

  const byViewer = await app.raw('users.resetPassword', { id: admin.id, password: 'hijacked-password-1' }, 'vic');
  assert.equal(!byViewer.ok && byViewer.error.code, 'FORBIDDEN');
  const own = await app.raw('users.resetPassword', { id: admin.id, password: 'another-password-1' });
  assert.equal(!own.ok && own.error.code, 'BAD_INPUT');

  await app.call('users.resetPassword', { id: vic.id, password: 'temporary-pass-42' });
  await app.call('auth.login', { username: 'vic', password: 'temporary-pass-42' }, 'vic-2');
  assert.deepEqual(await app.call('auth.passwordState', {}, 'vic-2'), { mustChange: true });
  const ev = (await app.call('audit.list', { action: 'user.password_reset', limit: 5, offset: 0 })).events;
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.entityId, String(vic.id));
  assert.equal(ev[0]!.userName, 'Admin Test');
  await app.close();
});
