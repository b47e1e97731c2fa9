/**
 * Issue 12 §1: each rewrite of the audit log that verified "ok" before keyed audit, made with the real sqlite3
 * tool, is detected now; verification never writes and never creates a database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, tempDir, type TestApp } from '../../helpers/temp-services.ts';
import { REPO_ROOT } from '../../helpers/shared-data.ts';
import { verifyStoreFile } from '../../../src/main/integrity/verify-store.ts';
import { createServices } from '../../../src/main/services.ts';
import { chainHash } from '../../../src/main/audit/canonical.ts';
import { checkpointPathFor } from '../../../src/main/audit/checkpoint.ts';
import { keyFilePathFor } from '../../../src/main/audit/audit-key.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const gf = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1' } });
const sql = (db: string, statements: string) => execFileSync('sqlite3', [db, statements], { encoding: 'utf8' });

/** The exact trigger text, so an attacker can put it back after editing (then only the checkpoint can tell). */
const triggerSql = (db: string, name: string) => sql(db, `SELECT sql FROM sqlite_master WHERE name = '${name}';`).trim();

async function appWithPatients(n: number): Promise<TestApp> {
  const app = await startTestApp();
  for (let i = 1; i <= n; i++) {
    const p = await app.call('patients.create', { pseudonym: `AT-${i}`, phi: {} });
    await app.call('cases.create', { patientId: p.id, accession: `S-${i}` });
  }
  return app;
}

const count = (db: string) => Number(sql(db, 'SELECT COUNT(*) FROM audit_events;').trim());

test('a fresh database is keyed, checkpointed and verifies ok; verify writes nothing', async () => {
  const app = await appWithPatients(2);
  const events = (await app.s.audit.all()).length;
  await app.s.close();
  const st = await verifyStoreFile(app.dbPath);
  assert.equal(st.ok, true, st.reason ?? '');
  assert.equal(st.keyed, true);
  assert.equal(st.keyedFromSeq, 1);
  assert.deepEqual([st.checkpoint?.state, st.checkpoint?.count], ['ok', events]);
  assert.equal((fs.statSync(keyFilePathFor(app.dbPath)).mode & 0o777), 0o600);
  const before = fs.readFileSync(app.dbPath);
  await verifyStoreFile(app.dbPath);
  assert.equal(count(app.dbPath), events, 'verification appended nothing');
  assert.ok(before.equals(fs.readFileSync(app.dbPath)), 'the database file is byte-identical after verification');
  fs.rmSync(app.dir, { recursive: true, force: true });
});

test('deleting the last events (trigger put back afterwards) is "count behind"; a later writer does not erase the evidence', async () => {
  const app = await appWithPatients(3);
  await app.s.close();
  const n = count(app.dbPath);
  const trig = triggerSql(app.dbPath, 'audit_events_no_delete');
  sql(app.dbPath, `DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq > ${n - 2}; ${trig};`);
  const st = await verifyStoreFile(app.dbPath);
  assert.equal(st.ok, false);
  assert.equal(st.checkpoint?.state, 'behind');
  assert.match(st.reason ?? '', new RegExp(`^count behind: the log has ${n - 2} events but the checkpoint .* recorded ${n}`));
  assert.equal(st.firstBrokenSeq, n - 1);

  // The app opens it again and appends at the freed numbers: the checkpoint keeps the evidence (never overwritten).
  const s = await createServices({ dbPath: app.dbPath, dataDir: path.join(app.dir, 'data'), appVersion: '0.0.0-test' });
  assert.equal(s.startupChain.ok, false);
  await s.audit.append(null, { action: 'test.after_truncation' });
  await s.audit.append(null, { action: 'test.after_truncation' });
  await s.audit.append(null, { action: 'test.after_truncation' });
  await s.close();
  const again = await verifyStoreFile(app.dbPath);
  assert.equal(again.ok, false);
  assert.equal(again.checkpoint?.state, 'differs');
  assert.match(again.reason ?? '', new RegExp(`^head differs: event ${n} has hash`));

  // The CLI says so in one line and exits 1.
  const r = gf(['--db', app.dbPath, 'audit', 'verify']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`^BROKEN at event ${n}: head differs`));
  fs.rmSync(app.dir, { recursive: true, force: true });
});

test('deleting every event is detected; so is deleting the checkpoint as well, and the key too', async () => {
  const app = await appWithPatients(2);
  await app.s.close();
  const n = count(app.dbPath);
  sql(app.dbPath, 'DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events;');
  const st = await verifyStoreFile(app.dbPath);
  assert.equal(st.ok, false);
  assert.equal(st.count, 0);
  assert.match(st.reason ?? '', new RegExp(`^count behind: the log has 0 events .* recorded ${n}`));
  assert.ok(st.problems?.some((p) => /trigger audit_events_no_delete on audit_events is missing/.test(p)));

  fs.rmSync(checkpointPathFor(app.dbPath));
  const noCp = await verifyStoreFile(app.dbPath);
  assert.equal(noCp.checkpoint?.state, 'missing');
  assert.match(noCp.reason ?? '', /^no checkpoint: .*audit-checkpoint is missing/);

  // Without the key and the checkpoint it looks like a database that was never keyed, but its rows are orphans.
  fs.rmSync(keyFilePathFor(app.dbPath));
  const bare = await verifyStoreFile(app.dbPath);
  assert.equal(bare.ok, false);
  assert.ok(bare.problems?.some((p) => /^patients: patient 1, 2 have no patient.created event/.test(p)), bare.problems?.join('\n'));
  assert.ok(bare.problems?.some((p) => /^users: account 1 has no user.setup_admin\/user.created event/.test(p)));
  fs.rmSync(app.dir, { recursive: true, force: true });
});

test('replacing the database with an older copy (rollback) is "count behind"', async () => {
  const app = await appWithPatients(1);
  await app.s.close();
  const older = path.join(app.dir, 'older.sqlite');
  fs.copyFileSync(app.dbPath, older);
  const s = await createServices({ dbPath: app.dbPath, dataDir: path.join(app.dir, 'data'), appVersion: '0.0.0-test' });
  const admin = await s.users.actorByUsername('admin');
  await s.patients.create(admin, { pseudonym: 'AT-LATER', phi: {} });
  await s.close();
  fs.copyFileSync(older, app.dbPath);
  const st = await verifyStoreFile(app.dbPath);
  assert.equal(st.ok, false);
  assert.equal(st.checkpoint?.state, 'behind');
  assert.match(st.reason ?? '', /^count behind: .*replaced by an older copy/);
  fs.rmSync(app.dir, { recursive: true, force: true });
});

test('editing an event and recomputing every hash with plain SHA-256 is detected (the chain is keyed)', async () => {
  const app = await appWithPatients(2);
  await app.s.close();
  type Row = Record<string, string | number | null>;
  const rows = JSON.parse(execFileSync('sqlite3', ['-json', app.dbPath, 'SELECT * FROM audit_events ORDER BY seq;'], { encoding: 'utf8' })) as Row[];
  const target = rows.find((r) => r.action === 'patient.created')!;
  target.patient_pseudonym = 'FORGED';
  let prev = '0'.repeat(64);
  const updates: string[] = [];
  for (const r of rows) {
    const { hash: _old, ...rest } = r;
    rest.prev_hash = prev;
    const h = chainHash(prev, rest);
    updates.push(`UPDATE audit_events SET patient_pseudonym = ${r.patient_pseudonym === null ? 'NULL' : `'${String(r.patient_pseudonym)}'`}, prev_hash = '${prev}', hash = '${h}' WHERE seq = ${r.seq};`);
    prev = h;
  }
  const trig = triggerSql(app.dbPath, 'audit_events_no_update');
  // hash is UNIQUE: move every row's hash out of the way first, then write the recomputed chain.
  sql(app.dbPath, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET hash = 'x' || seq; ${updates.join(' ')} ${trig};`);
  const st = await verifyStoreFile(app.dbPath);
  assert.equal(st.ok, false);
  assert.equal(st.firstBrokenSeq, 1);
  assert.match(st.reason ?? '', /^event 1 was altered after it was written \(or written without this database's audit key\)/);
  fs.rmSync(app.dir, { recursive: true, force: true });
});

test('dropping the triggers and deleting a patient row with no event is detected; so is an inserted row', async () => {
  const app = await appWithPatients(2);
  const p3 = await app.call('patients.create', { pseudonym: 'AT-3', phi: {} });
  await app.s.close();
  sql(app.dbPath, `DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_events_no_update; DELETE FROM patients WHERE id = ${p3.id};`);
  const st = await verifyStoreFile(app.dbPath);
  assert.equal(st.ok, false);
  assert.ok(st.problems?.includes('trigger audit_events_no_delete on audit_events is missing (dropped outside Gliofuse)'), st.problems?.join('\n'));
  assert.ok(st.problems?.includes(`patients: patient ${p3.id} has a creating event but no row (deleted outside Gliofuse)`), st.problems?.join('\n'));

  // Put the triggers back exactly and insert a patient (reusing the id) instead: accounting still sees it.
  const mem = tempDir();
  const fresh = path.join(mem, 'ref.sqlite');
  const ref = await createServices({ dbPath: fresh, dataDir: path.join(mem, 'data'), appVersion: '0.0.0-test' });
  await ref.close();
  const trigs = ['audit_events_no_delete', 'audit_events_no_update'].map((t) => triggerSql(fresh, t)).join('; ');
  sql(app.dbPath, `${trigs}; INSERT INTO patients (id, pseudonym, created_by, created_at, updated_at) VALUES (${p3.id}, 'AT-3', 1, 'x', 'x'), (${p3.id + 1}, 'GHOST', 1, 'x', 'x');`);
  const st2 = await verifyStoreFile(app.dbPath);
  assert.deepEqual(st2.problems, [`patients: patient ${p3.id + 1} has no patient.created event (inserted outside Gliofuse)`]);
  // An altered trigger is named too.
  sql(app.dbPath, "DROP TRIGGER audit_events_no_update; CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events WHEN 0 BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;");
  const st3 = await verifyStoreFile(app.dbPath);
  assert.ok(st3.problems?.includes('trigger audit_events_no_update on audit_events is not the SQL its migration created (altered outside Gliofuse)'));
  fs.rmSync(mem, { recursive: true, force: true });
  fs.rmSync(app.dir, { recursive: true, force: true });
});

test('verify on a mistyped path exits 2 "no database at PATH" and creates nothing; a folder or a PNG is not a database', () => {
  const dir = tempDir();
  const missing = path.join(dir, 'no-such-folder', 'gliofsue.sqlite');
  const r = gf(['--db', missing, 'audit', 'verify']);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim(), `gliofuse: no database at ${missing}; check the --db path (nothing was created).`);
  assert.equal(fs.existsSync(path.dirname(missing)), false, 'no folder and no empty database were created');

  const png = path.join(dir, 'x.png');
  fs.writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200)]));
  const p = gf(['--db', png, 'audit', 'verify']);
  assert.equal(p.status, 1);
  assert.equal(p.stderr.trim(), `gliofuse: ${png} is not a Gliofuse database (it is a PNG image); check the --db path.`);
  const d = gf(['--db', dir, 'patient', 'list']);
  assert.equal(d.status, 1);
  assert.equal(d.stderr.trim(), `gliofuse: ${dir} is not a Gliofuse database (it is a folder); check the --db path.`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an unkeyed log from before keyed audit keeps verifying up to its "keyed from sequence N" event; the key then protects it', async () => {
  const dir = tempDir();
  const dbPath = path.join(dir, 'legacy.sqlite');
  // Written the old way: migrated schema, events under the unkeyed rule, no key, no checkpoint.
  const { Db } = await import('../../../src/main/store/db.ts');
  const { migrate } = await import('../../../src/main/store/migrate.ts');
  const { AuditLog } = await import('../../../src/main/audit/audit-log.ts');
  const raw = await Db.open(dbPath);
  await migrate(raw);
  const old = new AuditLog(raw, '0.9.0');
  for (let i = 0; i < 3; i++) await old.append(null, { action: 'legacy.event', reason: `old ${i}` });
  await raw.close();
  const before = await verifyStoreFile(dbPath);
  assert.deepEqual([before.ok, before.keyed, before.count], [true, false, 3]);
  assert.equal(fs.existsSync(keyFilePathFor(dbPath)), false, 'verification did not create a key');

  const s = await createServices({ dbPath, dataDir: path.join(dir, 'data'), appVersion: '0.0.0-test' });
  assert.equal(s.startupChain.ok, true, s.startupChain.reason ?? '');
  const marker = (await s.audit.all()).find((e) => e.action === 'audit.chain_keyed');
  assert.equal(marker?.seq, 4);
  assert.deepEqual((marker?.after as { keyedFromSeq: number }).keyedFromSeq, 4);
  await s.audit.append(null, { action: 'new.event' });
  await s.close();
  const after = await verifyStoreFile(dbPath);
  assert.deepEqual([after.ok, after.keyed, after.keyedFromSeq, after.count, after.checkpoint?.state], [true, true, 4, 5, 'ok']);

  // Rewriting an unkeyed event with plain SHA-256 (and its successors up to the marker) breaks at the marker.
  const trig = triggerSql(dbPath, 'audit_events_no_update');
  type Row = Record<string, string | number | null>;
  const rows = JSON.parse(execFileSync('sqlite3', ['-json', dbPath, 'SELECT * FROM audit_events WHERE seq <= 3 ORDER BY seq;'], { encoding: 'utf8' })) as Row[];
  rows[1]!.reason = 'rewritten';
  let prev = '0'.repeat(64);
  const updates = rows.map((r) => {
    const { hash: _h, ...rest } = r;
    rest.prev_hash = prev;
    prev = chainHash(prev, rest);
    return `UPDATE audit_events SET reason = '${String(r.reason)}', prev_hash = '${String(rest.prev_hash)}', hash = '${prev}' WHERE seq = ${r.seq};`;
  });
  sql(dbPath, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET hash = 'x' || seq WHERE seq <= 3; ${updates.join(' ')} ${trig};`);
  const broken = await verifyStoreFile(dbPath);
  assert.equal(broken.ok, false);
  assert.equal(broken.firstBrokenSeq, 4);
  assert.match(broken.reason ?? '', /^event 4 does not link to event 3/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('exports carry the checkpoint; a printed anchor is checked by verify --anchor', async () => {
  const app = await appWithPatients(1);
  const json = await app.call('audit.export', { format: 'json' });
  const doc = JSON.parse(json.content) as { head: string; checkpoint: { count: number; head: string; mac: string; keyId: string } };
  assert.deepEqual([doc.checkpoint.count, doc.checkpoint.head], [json.count, json.head]);
  assert.match(doc.checkpoint.mac, /^[0-9a-f]{64}$/);
  const fhir = JSON.parse((await app.call('audit.export', { format: 'fhir' })).content) as { meta: { extension: { url: string; valueString: string }[] } };
  const ext = fhir.meta.extension.find((e) => e.url.endsWith('/audit-checkpoint'));
  assert.ok(ext && (JSON.parse(ext.valueString) as { head: string }).head.length === 64);
  await app.s.close();

  assert.equal((await verifyStoreFile(app.dbPath, { anchors: [{ count: json.count, head: json.head }] })).ok, true);
  const wrong = await verifyStoreFile(app.dbPath, { anchors: [{ count: json.count, head: 'f'.repeat(64) }] });
  assert.equal(wrong.ok, false);
  assert.match(wrong.reason ?? '', new RegExp(`^anchor ${json.count}:f{16}…: event ${json.count} has hash`));
  const cli = gf(['--db', app.dbPath, 'audit', 'verify', '--anchor', `${json.count}:${json.head}`]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /^ok, \d+ events, head [0-9a-f]{64}\nkeyed: HMAC-SHA-256 .* from event 1\ncheckpoint: \d+ events/);
  assert.equal(gf(['--db', app.dbPath, 'audit', 'verify', '--anchor', 'nonsense']).status, 2);
  fs.rmSync(app.dir, { recursive: true, force: true });
});

test('three processes opening an unkeyed database from before at once: one key, one marker, a chain that verifies', async () => {
  // (New databases opened at once are covered by the identity race test: four first-run "user add" processes.)
  const { spawn } = await import('node:child_process');
  const writer = path.join(REPO_ROOT, 'test', 'integration', 'audit', 'fixtures', 'append-writer.ts');
  const run = (db: string) => Promise.all([1, 2, 3].map(() => new Promise<number | null>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', writer, db, '4'], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('close', resolve);
  })));
  const dir = tempDir();
  const legacy = path.join(dir, 'legacy.sqlite');
  const { Db } = await import('../../../src/main/store/db.ts');
  const { migrate } = await import('../../../src/main/store/migrate.ts');
  const { AuditLog } = await import('../../../src/main/audit/audit-log.ts');
  const raw = await Db.open(legacy);
  await migrate(raw);
  const old = new AuditLog(raw, '0.9.0');
  for (let i = 0; i < 3; i++) await old.append(null, { action: 'legacy.event' });
  await raw.close();
  assert.deepEqual(await run(legacy), [0, 0, 0]);
  const b = await verifyStoreFile(legacy);
  assert.deepEqual([b.ok, b.count, b.keyedFromSeq, b.checkpoint?.count], [true, 16, 4, 16], b.reason ?? '');
  assert.equal(sql(legacy, "SELECT COUNT(*) FROM audit_events WHERE action = 'audit.chain_keyed';").trim(), '1');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a keyed database copied without its key file and checkpoint is refused, not re-keyed', async () => {
  const app = await appWithPatients(1);
  await app.s.close();
  const copy = path.join(app.dir, 'copied', 'g.sqlite');
  fs.mkdirSync(path.dirname(copy));
  fs.copyFileSync(app.dbPath, copy);
  await assert.rejects(createServices({ dbPath: copy, dataDir: path.join(app.dir, 'data2'), appVersion: '0.0.0-test' }),
    /The audit key of this database is missing \(key file .*copied\/g\.sqlite\.audit-key\) although its log was written with one/);
  assert.equal(fs.existsSync(keyFilePathFor(copy)), false, 'no new key was made');
  const st = await verifyStoreFile(copy);
  assert.equal(st.ok, false);
  fs.rmSync(app.dir, { recursive: true, force: true });
});
