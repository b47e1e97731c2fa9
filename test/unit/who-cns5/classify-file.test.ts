import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFile } from '../../../src/main/who-cns5/classify-file.ts';
import { TCGA_GBMLGG_THRESHOLDS as T } from '../../../src/main/who-cns5/thresholds.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';

const CSV = 'TCGA ID,idh mutation,codeletion,EGFR,CDKN2A,CDKN2B,7p,7q,10p,10q,PTEN\nA-1,0,0,2,0,0,0,0,0,0,0\nA-2,1,0,0,-2,-2,0,0,0,0,0\nA-3,NA,NA,0,0,0,0,0,0,0,0\n';
const fails = (fn: () => unknown, code: string, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof GliofuseError && e.code === code && re.test(e.message));

test('CSV: --row-id picks one row, --all every row (other columns ignored)', () => {
  const one = classifyFile({ fileName: 'p.csv', content: CSV, rowId: 'a-2' }, T);
  assert.deepEqual(one.rows.map((r) => [r.rowId, r.line, r.result.integratedDiagnosis]), [['A-2', 3, 'Astrocytoma, IDH-mutant, CNS WHO grade 4']]);
  const all = classifyFile({ fileName: 'p.csv', content: CSV, all: true }, T);
  assert.deepEqual(all.rows.map((r) => r.result.diagnosis), ['Glioblastoma, IDH-wildtype', 'Astrocytoma, IDH-mutant', 'Diffuse glioma, NOS']);
  assert.ok(!all.columns.includes('cnv_pten'));
});

test('JSON profile with optional markers; codeleted but IDH-wildtype is NEC', () => {
  const r = classifyFile({ fileName: 'p.json', content: JSON.stringify({ id: 'P1', idh_mutation: 0, codeletion_1p19q: 1, EGFR: 0 }) }, T);
  assert.equal(r.rows[0]!.rowId, 'P1');
  assert.equal(r.rows[0]!.result.status, 'NEC');
  const tert = classifyFile({ fileName: 'p.json', content: JSON.stringify({ idh_mutation: 0, 'TERT promoter': 1, MGMT_promoter_methylation: null }) }, T);
  assert.equal(tert.rows[0]!.result.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
});

test('bad input names the field and row; unknown row id is NOT_FOUND', () => {
  fails(() => classifyFile({ fileName: 'p.csv', content: CSV }, T), 'BAD_INPUT', /3 rows; choose one with --row-id \(id column "TCGA ID"\) or classify every row with --all/);
  fails(() => classifyFile({ fileName: 'p.csv', content: CSV, rowId: 'A-1', all: true }, T), 'BAD_INPUT', /either --row-id or --all/);
  fails(() => classifyFile({ fileName: 'p.csv', content: CSV, rowId: 'Z' }, T), 'NOT_FOUND', /No row with TCGA ID "Z"/);
  fails(() => classifyFile({ fileName: 'p.csv', content: CSV.replace('A-2,1,0,0,-2', 'A-2,1,0,0,-3'), all: true }, T), 'BAD_INPUT', /line 3 \(A-2\): cnv_cdkn2a must be a whole copy-number call/);
  fails(() => classifyFile({ fileName: 'p.json', content: '{"idh_mutation": [1]}' }, T), 'BAD_INPUT', /idh_mutation: expected a number or null/);
  fails(() => classifyFile({ fileName: 'p.json', content: '{"idh_mutation": 1}', all: true }, T), 'BAD_INPUT', /apply to CSV files/);
  fails(() => classifyFile({ fileName: 'p.json', content: '[1]' }, T), 'BAD_INPUT', /one object/);
  fails(() => classifyFile({ fileName: 'p.csv', content: 'TCGA ID,idh mutation\n' }, T), 'BAD_INPUT', /no data row/);
});
