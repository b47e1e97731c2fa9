import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const ALL = sharedFile('tcga', 'all_dataset.csv');

function gf(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('gliofuse classify: one TCGA row, every row to CSV, JSON profiles, and bad input exits 2 naming the field', () => {
  const dir = tempDir();
  const db = ['--db', path.join(dir, 'who.sqlite')];
  assert.equal(gf([...db, 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], PASSWORD).code, 0);
  const as = [...db, '--as', 'root'];

  // TCGA-02-0003: IDH-wildtype with EGFR GISTIC 2.
  const one = gf([...as, '--json', 'classify', ALL, '--row-id', 'TCGA-02-0003']);
  assert.equal(one.code, 0, one.err);
  const res = JSON.parse(one.out) as { rows: { rowId: string; result: { integratedDiagnosis: string; grade: string; criteria: { id: string; field: string; value: string }[] } }[]; columns: string[] };
  assert.equal(res.rows.length, 1);
  assert.equal(res.rows[0]!.rowId, 'TCGA-02-0003');
  assert.equal(res.rows[0]!.result.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.ok(res.rows[0]!.result.criteria.some((c) => c.id === 'gbm.egfr-amplification' && c.field === 'cnv_egfr' && c.value === 'GISTIC 2'));
  assert.ok(res.columns.includes('arm_10q'));

  // Every row, human output and a CSV file.
  const out = path.join(dir, 'who.csv');
  const all = gf([...as, 'classify', ALL, '--all', '--out', out]);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /rule-based, not AI/);
  assert.match(all.out, /For Research Use Only/);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 770);
  assert.match(lines[0]!, /^row_id,status,integrated_diagnosis,diagnosis,cns_who_grade,grade_options,criteria,missing,reason,molecular_information,ruo$/);
  assert.equal(lines.filter((l) => l.includes(',NOS,"Diffuse glioma, NOS"')).length, 72, 'the 72 patients without IDH status are NOS');

  // Bad input: one line on stderr, exit 2, naming the field (the JSON and multi-row cases are unit-tested in
  // test/unit/who-cns5/classify-file.test.ts; each CLI spawn costs seconds).
  const json = path.join(dir, 'p.json');
  fs.writeFileSync(json, JSON.stringify({ idh_mutation: 2 }));
  const bad = gf([...as, 'classify', json]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^gliofuse: .*idh_mutation must be 0 or 1/);
  assert.equal(bad.err.trim().split('\n').length, 1);
});
