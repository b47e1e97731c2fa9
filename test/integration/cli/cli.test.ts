import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT } from '../../helpers/shared-data.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');

function gf(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('CLI: version, users, patients, cases, audit verify/export with exit codes 0/1/2', () => {
  const dir = tempDir();
  const db = ['--db', path.join(dir, 'cli.sqlite')];
  const v = gf(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.out, /^\d+\.\d+\.\d+/);

  const notAdmin = gf([...db, 'user', 'add', '--name', 'p1', '--role', 'pathologist', '--password-stdin'], PASSWORD);
  assert.equal(notAdmin.code, 2);
  assert.match(notAdmin.err, /^gliofuse: The first account must be an admin/);
  assert.equal(notAdmin.err.trim().split('\n').length, 1, 'one line on stderr');

  assert.equal(gf([...db, 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).code, 0);
  assert.equal(gf([...db, '--as', 'root', 'user', 'add', '--name', 'paula', '--role', 'pathologist', '--password-stdin'], PASSWORD).code, 0);
  const shortPw = gf([...db, '--as', 'root', 'user', 'add', '--name', 'x2', '--role', 'viewer', '--password-stdin'], 'short');
  assert.equal(shortPw.code, 2);
  assert.match(shortPw.err, /password: at least 10 characters/);

  const noUser = gf([...db, 'patient', 'add', '--pseudonym', 'Q-1']);
  assert.equal(noUser.code, 2);
  assert.match(noUser.err, /--as USER/);

  const added = gf([...db, '--as', 'paula', '--json', 'patient', 'add', '--pseudonym', 'Q-1', '--sex', 'male', '--birth-year', '1961']);
  assert.equal(added.code, 0, added.err);
  const patient = JSON.parse(added.out) as { id: number; pseudonym: string };
  assert.equal(patient.pseudonym, 'Q-1');
  assert.equal(gf([...db, '--as', 'paula', 'patient', 'add', '--pseudonym', 'Q-1']).code, 1, 'duplicate is an operation failure');
  assert.equal(gf([...db, '--as', 'paula', 'patient', 'add', '--pseudonym', 'Q-2', '--sex', 'robot']).code, 2);

  const c = gf([...db, '--as', 'paula', '--json', 'case', 'add', '--patient', 'Q-1', '--specimen', 'frontal lobe resection', '--collected', '2024-03-01']);
  assert.equal(c.code, 0, c.err);
  assert.equal((JSON.parse(c.out) as { accession: string }).accession, 'Q-1-1');
  const list = gf([...db, '--as', 'paula', '--json', 'case', 'list', '--patient', String(patient.id)]);
  assert.equal((JSON.parse(list.out) as { total: number }).total, 1);
  const plist = gf([...db, '--as', 'paula', 'patient', 'list', '--search', 'Q-']);
  assert.match(plist.out, /1 patient\(s\)/);

  const ver = gf([...db, 'audit', 'verify']);
  assert.equal(ver.code, 0);
  assert.match(ver.out, /^ok, \d+ events, head [0-9a-f]{64}$/m);

  const fhirOut = path.join(dir, 'audit.fhir.json');
  assert.equal(gf([...db, '--as', 'root', 'audit', 'export', '--format', 'fhir', '--out', fhirOut]).code, 0);
  const bundle = JSON.parse(fs.readFileSync(fhirOut, 'utf8')) as { resourceType: string; entry: { resource: { resourceType: string; recorded: string; outcome: string } }[] };
  assert.equal(bundle.resourceType, 'Bundle');
  assert.ok(bundle.entry.length >= 5);
  assert.ok(bundle.entry.every((e) => e.resource.resourceType === 'AuditEvent' && e.resource.recorded && ['0', '4', '8'].includes(e.resource.outcome)));
  const json = gf([...db, '--as', 'root', 'audit', 'export', '--format', 'json']);
  const exported = JSON.parse(json.out) as { ruo: string; events: { action: string }[] };
  assert.match(exported.ruo, /For Research Use Only/);
  assert.equal(gf([...db, '--as', 'paula', 'audit', 'export', '--format', 'json']).code, 1, 'only admins export');
  assert.equal(gf([...db, '--as', 'root', 'audit', 'export', '--format', 'xml']).code, 2);
  assert.equal(gf([...db, 'no-such-command']).code, 2);
  assert.equal(gf([...db, '--as', 'paula', 'case', 'add', '--patient', 'NOPE']).code, 1);
});
