import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { startTestApp } from '../../helpers/temp-services.ts';
import { REPO_ROOT } from '../../helpers/shared-data.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');

test('domain changes write chained audit events with who, what and the patient pseudonym', async () => {
  const app = await startTestApp();
  const p = await app.call('patients.create', { pseudonym: 'PX-1', phi: { mrn: 'MRN-SECRET', fullName: 'Jane Roe' } });
  await app.call('cases.create', { patientId: p.id, accession: 'S-1' });
  const { events } = await app.call('audit.list', { limit: 50, offset: 0 });
  const created = events.find((e) => e.action === 'patient.created');
  assert.ok(created);
  assert.equal(created.patientPseudonym, 'PX-1');
  assert.equal(created.userName, 'Admin Test');
  assert.deepEqual(created.after, { pseudonym: 'PX-1', phiFieldsSet: ['mrn', 'fullName'] });
  // PHI values never enter the audit log.
  const all = JSON.stringify(await app.s.audit.all());
  assert.ok(!all.includes('MRN-SECRET') && !all.includes('Jane Roe'));
  const v = await app.s.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.count, (await app.s.audit.all()).length);
  await app.close();
});

test('triggers refuse UPDATE and DELETE on the audit log', async () => {
  const app = await startTestApp();
  await assert.rejects(app.s.db.run("UPDATE audit_events SET action = 'x' WHERE seq = 1"), /append-only/);
  await assert.rejects(app.s.db.run('DELETE FROM audit_events WHERE seq = 1'), /append-only/);
  await app.close();
});

test('an UPDATE made with the sqlite3 tool after dropping the trigger is detected, naming the first broken event', async () => {
  const app = await startTestApp();
  const p = await app.call('patients.create', { pseudonym: 'PX-2', phi: {} });
  await app.call('cases.create', { patientId: p.id, accession: 'S-2' });
  const events = await app.s.audit.all();
  const target = events.find((e) => e.action === 'patient.created')!;
  await app.s.close();
  execFileSync('sqlite3', [app.dbPath, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET patient_pseudonym = 'OTHER' WHERE seq = ${target.seq};`]);

  const r = spawnSync(process.execPath, [CLI, '--db', app.dbPath, 'audit', 'verify'], { encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1' } });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`BROKEN at event ${target.seq}: event ${target.seq} was altered`));

  // The machine-readable form names the same event.
  const j = spawnSync(process.execPath, [CLI, '--db', app.dbPath, '--json', 'audit', 'verify'], { encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1' } });
  const st = JSON.parse(j.stdout) as { ok: boolean; firstBrokenSeq: number };
  assert.equal(st.ok, false);
  assert.equal(st.firstBrokenSeq, target.seq);
});

test('a deleted event in the middle breaks the chain at that sequence number', async () => {
  const app = await startTestApp();
  for (let i = 0; i < 3; i++) await app.call('patients.create', { pseudonym: `PD-${i}`, phi: {} });
  await app.s.close();
  execFileSync('sqlite3', [app.dbPath, 'DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 2;']);
  const r = spawnSync(process.execPath, [CLI, '--db', app.dbPath, 'audit', 'verify'], { encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1' } });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /BROKEN at event 2: event 2 is missing/);
});

test('the start-up chain status reports a broken chain to app.status', async () => {
  const app = await startTestApp();
  await app.call('patients.create', { pseudonym: 'PS-1', phi: {} });
  await app.s.close();
  execFileSync('sqlite3', [app.dbPath, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET reason = 'x' WHERE seq = 1;"]);
  const { createServices } = await import('../../../src/main/services.ts');
  const s = await createServices({ dbPath: app.dbPath, dataDir: app.dir, appVersion: '0.0.0-test' });
  const st = await s.router.call('app.status', {}, { transport: 'test', sessionId: 'x', senderOk: true });
  assert.ok(st.ok);
  assert.equal(st.value.auditChain.ok, false);
  assert.equal(st.value.auditChain.firstBrokenSeq, 1);
  await s.close();
});
