/**
 * Issue 12 §4, races and identity at the door: four first-run `user add --role admin` processes racing on a new
 * database create exactly one admin; 50 parallel wrong passwords get exactly maxFailedLogins answers before the
 * lock; a password typed into the user name field never reaches the audit log or its export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startTestApp, tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT } from '../../helpers/shared-data.ts';
import { Db } from '../../../src/main/store/db.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');

function gfAsync(args: string[], input: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => resolve({ code, out, err }));
    p.stdin.end(input);
  });
}

test('four concurrent first-run "user add --role admin" on a new database: exactly one admin', async () => {
  const dir = tempDir('gliofuse-first-admin-');
  const dbFile = path.join(dir, 'race.sqlite');
  const runs = await Promise.all([1, 2, 3, 4].map((i) => gfAsync(['--db', dbFile, 'user', 'add', '--name', `admin${i}`, '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`)));
  const winners = runs.filter((r) => r.code === 0);
  assert.equal(winners.length, 1, runs.map((r) => `${r.code}: ${r.err.trim()}`).join(' | '));
  for (const r of runs.filter((x) => x.code !== 0)) {
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
    assert.match(r.err, /Set-up is already complete/);
  }
  const db = await Db.open(dbFile, { readonly: true });
  const admins = await db.all<{ username: string }>("SELECT username FROM users WHERE role = 'admin'");
  const setups = await db.all<{ seq: number }>("SELECT seq FROM audit_events WHERE action = 'user.setup_admin'");
  await db.close();
  assert.equal(admins.length, 1);
  assert.equal(setups.length, 1);
});

test('50 parallel wrong passwords: exactly maxFailedLogins answers, then LOCKED; a right password is refused once locked', async () => {
  const app = await startTestApp();
  try {
    await app.call('users.add', { username: 'target', displayName: 'Target', role: 'pathologist', password: PASSWORD });
    const max = app.s.settings.current().maxFailedLogins;
    const guesses = await Promise.all(Array.from({ length: 50 }, (_, i) => app.raw('auth.login', { username: 'target', password: `wrong-guess-${i}` }, `attacker-${i}`)));
    const codes = guesses.map((g) => (g.ok ? 'OK' : g.error.code));
    assert.equal(codes.filter((c) => c === 'UNAUTHENTICATED').length, max, codes.join(','));
    assert.equal(codes.filter((c) => c === 'LOCKED').length, 50 - max);
    const right = await app.raw('auth.login', { username: 'target', password: PASSWORD }, 'late');
    assert.equal(right.ok ? 'OK' : right.error.code, 'LOCKED');
    const fails = await app.s.db.all<{ reason: string }>("SELECT reason FROM audit_events WHERE action = 'auth.login' AND outcome = 'failure' AND entity_id = (SELECT CAST(id AS TEXT) FROM users WHERE username = 'target')");
    assert.equal(fails.length, max, 'one audited failure per counted guess');
  } finally {
    await app.close();
  }
});

test('a password typed into the user name field is never stored or exported in clear', async () => {
  const app = await startTestApp();
  try {
    const typed = 'Tr0ub4dor&3-secret';
    const r = await app.raw('auth.login', { username: typed, password: 'whatever-else' }, 'mistyped');
    assert.equal(r.ok ? 'OK' : r.error.code, 'UNAUTHENTICATED');
    const rows = await app.s.db.all<Record<string, unknown>>('SELECT * FROM audit_events');
    assert.ok(!JSON.stringify(rows).includes(typed), 'not in any audit column');
    const ev = await app.s.db.get<{ reason: string }>("SELECT reason FROM audit_events WHERE action = 'auth.login' AND outcome = 'failure' ORDER BY seq DESC LIMIT 1");
    assert.match(ev?.reason ?? '', /unknown user name \(18 characters; not recorded\)/);
    for (const format of ['json', 'fhir'] as const) {
      const ex = await app.call('audit.export', { format });
      assert.ok(!ex.content.includes(typed), `${format} export`);
    }
  } finally {
    await app.close();
  }
});
