import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clinicalReferenceRisk, loadClinicalReference, parseClinicalReference, primaryReferenceModel } from '../../../src/main/inference/clinical-reference.ts';
import { parseCsv } from '../../../src/shared/csv.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';

const PKG = path.join(REPO_ROOT, 'models', 'umeml-gbmlgg-genomic-ref');

/** Profile values of one TCGA patient keyed like a validated genomic profile (schema ids; age in years). */
function tcgaValues(patientId: string): Record<string, number | null> {
  const all = parseCsv(fs.readFileSync(sharedFile('tcga/all_dataset.csv'), 'utf8'), 'all_dataset.csv');
  const grade = parseCsv(fs.readFileSync(sharedFile('tcga/grade_data.csv'), 'utf8'), 'grade_data.csv');
  const row = all.rows.find((r) => r.cells[all.header.indexOf('TCGA ID')]?.trim() === patientId);
  const grow = grade.rows.find((r) => r.cells[grade.header.indexOf('TCGA ID')]?.trim() === patientId);
  assert.ok(row && grow, patientId);
  const num = (s: string | undefined) => (s === undefined || s.trim() === '' || /^na$/i.test(s.trim()) ? null : Number(s));
  const out: Record<string, number | null> = {};
  const first = all.header.indexOf('codeletion');
  all.header.slice(first).forEach((h, j) => {
    const id = h === 'codeletion' ? 'codeletion_1p19q' : h === 'idh mutation' ? 'idh_mutation' : /^\d/.test(h) ? `arm_${h.toLowerCase()}` : `cnv_${h.toLowerCase()}`;
    out[id] = num(row.cells[first + j]);
  });
  out.age_at_diagnosis = num(grow.cells[grade.header.indexOf('Age at diagnosis')]);
  return out;
}

interface CheckRow { patientId: string; risk: number | null; riskGroup?: string; missing?: string[] }

test('the shipped package carries a clinical reference that the app reads', () => {
  const ref = loadClinicalReference(PKG);
  assert.ok(ref);
  const primary = primaryReferenceModel(ref);
  assert.equal(primary.id, 'cox-idh-1p19q-age');
  assert.deepEqual(primary.terms.map((t) => t.field), ['idh_mutation', 'codeletion_1p19q', 'age_at_diagnosis']);
  assert.equal(primary.cv.splits, 15);
  assert.equal(primary.cv.nPatients, 697);
  assert.ok(primary.pairedVsUmeml.umemlWins >= 0 && primary.pairedVsUmeml.umemlWins <= 15);
  assert.match(ref.addedValueLine, /clinical reference/);
  assert.ok(['clinical-reference', 'umeml'].includes(ref.primarySurvival));
  // the biology: IDH mutation and codeletion lower the risk, age raises it
  const [idh, codel, age] = primary.terms.map((t) => t.coef);
  assert.ok((idh as number) < 0 && (codel as number) < 0 && (age as number) > 0);
});

test('same risk and risk group as the Python fit for real TCGA patients (within 1e-9)', () => {
  const raw = JSON.parse(fs.readFileSync(path.join(PKG, 'clinical_reference.json'), 'utf8')) as { models: { id: string; checkRows: CheckRow[] }[] };
  const ref = loadClinicalReference(PKG);
  assert.ok(ref);
  let compared = 0;
  for (const m of ref.models) {
    const rows = raw.models.find((x) => x.id === m.id)?.checkRows ?? [];
    assert.ok(rows.length >= 4, `${m.id} has check rows`);
    for (const r of rows) {
      const got = clinicalReferenceRisk(m, tcgaValues(r.patientId));
      if (r.risk === null) {
        assert.deepEqual(got, { ok: false, missing: r.missing });
      } else {
        assert.ok(got.ok, `${m.id} ${r.patientId}`);
        assert.ok(Math.abs(got.risk - r.risk) < 1e-9, `${m.id} ${r.patientId}: ${got.risk} vs ${r.risk}`);
        assert.equal(got.riskGroup, r.riskGroup);
        compared++;
      }
    }
  }
  assert.ok(compared >= 8);
});

test('missing values are named, never imputed; group boundaries are inclusive upward', () => {
  const ref = loadClinicalReference(PKG);
  assert.ok(ref);
  const m = primaryReferenceModel(ref);
  assert.deepEqual(clinicalReferenceRisk(m, { idh_mutation: 1, codeletion_1p19q: null }), { ok: false, missing: ['codeletion_1p19q', 'age_at_diagnosis'] });
  assert.deepEqual(clinicalReferenceRisk(m, { idh_mutation: 1, codeletion_1p19q: 0, age_at_diagnosis: Number.NaN }), { ok: false, missing: ['age_at_diagnosis'] });
  const toy = { ...m, terms: [{ field: 'age_at_diagnosis', coef: 1, mean: 50, sd: 10 }], riskGroupCutoffs: [-1, 1], riskGroupLabels: ['low', 'intermediate', 'high'] };
  assert.deepEqual(clinicalReferenceRisk(toy, { age_at_diagnosis: 40 }), { ok: true, risk: -1, riskGroup: 'intermediate' });
  assert.deepEqual(clinicalReferenceRisk(toy, { age_at_diagnosis: 39 }), { ok: true, risk: -1.1, riskGroup: 'low' });
  assert.deepEqual(clinicalReferenceRisk(toy, { age_at_diagnosis: 60 }), { ok: true, risk: 1, riskGroup: 'high' });
});

test('a package without the file gives null; a broken file is one clear INTEGRITY line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-cref-'));
  try {
    assert.equal(loadClinicalReference(dir), null);
    fs.writeFileSync(path.join(dir, 'clinical_reference.json'), '{"role":"clinical-reference"');
    assert.throws(() => loadClinicalReference(dir), /not valid JSON/);
    const good = fs.readFileSync(path.join(PKG, 'clinical_reference.json'), 'utf8');
    const bad = JSON.parse(good) as { primaryModelId: string };
    bad.primaryModelId = 'nope';
    assert.throws(() => parseClinicalReference(JSON.stringify(bad)), /primaryModelId names no model/);
    const noSd = JSON.parse(good) as { models: { terms: { sd: number }[] }[] };
    (noSd.models[0] as { terms: { sd: number }[] }).terms[0]!.sd = 0;
    assert.throws(() => parseClinicalReference(JSON.stringify(noSd)), /models\.0\.terms\.0\.sd/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
