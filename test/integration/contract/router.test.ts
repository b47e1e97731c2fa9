import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, PASSWORD } from '../../helpers/temp-services.ts';
import { contract, CHANNELS } from '../../../src/shared/contract/index.ts';

test('every channel declares request, response and access', () => {
  assert.ok(CHANNELS.length >= 20);
  for (const c of CHANNELS) {
    const def = contract[c];
    assert.ok(def.request && def.response, c);
    assert.ok(def.access === 'public' || def.access === 'any' || Array.isArray(def.access), c);
  }
});

test('invalid payloads are rejected with BAD_INPUT naming the field, and nothing is written', async () => {
  const app = await startTestApp();
  const before = (await app.s.audit.all()).length;
  const r1 = await app.raw('patients.create', { pseudonym: 'has space', phi: {} });
  assert.ok(!r1.ok);
  assert.equal(r1.error.code, 'BAD_INPUT');
  assert.match(r1.error.message, /pseudonym/);
  const r2 = await app.raw('patients.create', { pseudonym: 'OK-1', phi: {}, extra: 1 });
  assert.ok(!r2.ok && r2.error.code === 'BAD_INPUT');
  const r3 = await app.raw('cases.create', { patientId: -1, accession: 'x' });
  assert.ok(!r3.ok && /patientId/.test(r3.error.message));
  const r4 = await app.raw('patients.create', 'not an object');
  assert.ok(!r4.ok && r4.error.code === 'BAD_INPUT');
  const r5 = await app.raw('no.such.channel' as 'patients.list', {});
  assert.ok(!r5.ok && r5.error.code === 'BAD_INPUT');
  assert.equal((await app.s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM patients'))!.n, 0);
  assert.equal((await app.s.audit.all()).length, before);
  await app.close();
});

test('a call from an unknown sender is refused and audited', async () => {
  const app = await startTestApp();
  const r = await app.raw('patients.list', { limit: 10, offset: 0 }, 'admin', false);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'FORBIDDEN');
  const ev = (await app.s.audit.all()).at(-1)!;
  assert.equal(ev.action, 'access.rejected_sender');
  assert.equal(ev.outcome, 'denied');
  await app.close();
});

test('roles: a viewer reads but cannot edit; only an admin manages users; denials are audited', async () => {
  const app = await startTestApp();
  await app.login('vera', 'viewer');
  await app.login('paul', 'pathologist');
  const p = await app.call('patients.create', { pseudonym: 'R-1', phi: {} }, 'paul');
  const list = await app.call('patients.list', { limit: 10, offset: 0 }, 'vera');
  assert.equal(list.total, 1);
  const denied = await app.raw('patients.update', { id: p.id, pseudonym: 'R-2' }, 'vera');
  assert.ok(!denied.ok && denied.error.code === 'FORBIDDEN');
  const denied2 = await app.raw('cases.create', { patientId: p.id, accession: 'A' }, 'vera');
  assert.ok(!denied2.ok && denied2.error.code === 'FORBIDDEN');
  const denied3 = await app.raw('users.add', { username: 'x1', displayName: 'X', role: 'admin', password: PASSWORD }, 'paul');
  assert.ok(!denied3.ok && denied3.error.code === 'FORBIDDEN');
  const events = await app.s.audit.all();
  assert.equal(events.filter((e) => e.action === 'access.denied').length, 3);
  // Reads of patient data are audited too.
  assert.ok(events.some((e) => e.action === 'read.patients.list' && e.userName === 'vera (test)'));
  // Unauthenticated callers get nothing.
  const anon = await app.raw('patients.list', { limit: 10, offset: 0 }, 'nobody');
  assert.ok(!anon.ok && anon.error.code === 'UNAUTHENTICATED');
  await app.close();
});

test('set-up creates the admin once; a second set-up is refused', async () => {
  const app = await startTestApp({ withAdmin: false });
  const st = await app.call('app.status', {}, 'fresh');
  assert.equal(st.needsSetup, true);
  assert.match(st.ruo, /For Research Use Only/);
  await app.call('auth.setupAdmin', { username: 'root1', displayName: 'Root', password: PASSWORD }, 'fresh');
  const again = await app.raw('auth.setupAdmin', { username: 'root2', displayName: 'Root 2', password: PASSWORD }, 'other');
  assert.ok(!again.ok && again.error.code === 'CONFLICT');
  await app.close();
});

test('failed logins are audited and lock the account after the configured number', async () => {
  const app = await startTestApp();
  await app.call('users.add', { username: 'lena', displayName: 'Lena', role: 'pathologist', password: PASSWORD });
  for (let i = 0; i < 4; i++) {
    const r = await app.raw('auth.login', { username: 'lena', password: 'wrong password!' }, 's');
    assert.ok(!r.ok && r.error.code === 'UNAUTHENTICATED');
  }
  const fifth = await app.raw('auth.login', { username: 'lena', password: 'wrong password!' }, 's');
  assert.ok(!fifth.ok);
  const locked = await app.raw('auth.login', { username: 'lena', password: PASSWORD }, 's');
  assert.ok(!locked.ok && locked.error.code === 'LOCKED', 'even the right password is refused while locked');
  const events = (await app.s.audit.all()).filter((e) => e.action === 'auth.login');
  assert.equal(events.filter((e) => e.outcome === 'failure').length, 5);
  assert.ok(events.some((e) => e.outcome === 'denied'));
  assert.ok(!JSON.stringify(events).includes('wrong password!'), 'attempted passwords are never logged');
  // An admin clears the lockout.
  const u = (await app.call('users.list', {})).users.find((x) => x.username === 'lena')!;
  await app.call('users.update', { id: u.id, unlock: true });
  assert.ok((await app.raw('auth.login', { username: 'lena', password: PASSWORD }, 's')).ok);
  const unknown = await app.raw('auth.login', { username: 'ghost', password: 'whatever it is' }, 's2');
  assert.ok(!unknown.ok && unknown.error.message === 'Wrong user name or password.');
  await app.close();
});

test('an idle session locks; only the password unlocks it', async () => {
  const app = await startTestApp();
  await app.call('settings.set', { key: 'idleLockMinutes', value: 1 });
  const session = app.s.sessions.get('admin');
  session.lastActivity -= 61_000;
  const r = await app.raw('patients.list', { limit: 5, offset: 0 });
  assert.ok(!r.ok && r.error.code === 'LOCKED');
  const st = await app.call('app.status', {});
  assert.equal(st.locked, true);
  const bad = await app.raw('auth.unlock', { password: 'not the password' });
  assert.ok(!bad.ok);
  await app.call('auth.unlock', { password: PASSWORD });
  assert.ok((await app.raw('patients.list', { limit: 5, offset: 0 })).ok);
  const settingEvent = (await app.s.audit.all()).find((e) => e.action === 'settings.changed')!;
  assert.deepEqual(settingEvent.after, { idleLockMinutes: 1 });
  await app.close();
});

test('the last admin cannot be demoted; signed cases refuse edits', async () => {
  const app = await startTestApp();
  const admin = (await app.call('users.list', {})).users[0]!;
  const r = await app.raw('users.update', { id: admin.id, role: 'viewer' });
  assert.ok(!r.ok && r.error.code === 'BAD_INPUT');
  const p = await app.call('patients.create', { pseudonym: 'S-9', phi: {} });
  const c = await app.call('cases.create', { patientId: p.id, accession: 'A-9' });
  // Signed is the system's move (sign-off); by hand only archive/reopen are allowed (case-status-rules.ts).
  const refused = await app.raw('cases.setStatus', { id: c.id, status: 'signed', note: 'shortcut' });
  assert.ok(!refused.ok && refused.error.code === 'CONFLICT');
  const adminActor = await app.s.users.actorByUsername('admin');
  await app.s.db.transaction((tx) => app.s.patients.setStatusTx(tx, adminActor, c.id, 'signed'));
  const edit = await app.raw('cases.update', { id: c.id, specimen: 'changed' });
  assert.ok(!edit.ok && edit.error.code === 'CONFLICT');
  const got = await app.call('cases.get', { id: c.id });
  assert.deepEqual(got.history.map((h) => h.status), ['new', 'signed']);
  await app.close();
});

test('errors never carry stack traces or internals', async () => {
  const app = await startTestApp();
  const r = await app.raw('patients.get', { id: 12345 });
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'NOT_FOUND');
  assert.ok(!/at .*\.ts:\d+/.test(JSON.stringify(r)));
  await app.close();
});
