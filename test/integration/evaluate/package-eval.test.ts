/**
 * `evaluate package` on a package whose out-of-fold files are built at test time from Pathomic Fusion's own
 * genomic-network predictions (ids + predictions only, as the package format requires; written to a temp folder,
 * never committed). Labels are joined from ../shared/data/tcga, so matching the published fold means
 * (c-index 0.808, grade accuracy 0.652, AUC micro 0.853) also proves the label join.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { sharedFile, SHARED_DATA } from '../../helpers/shared-data.ts';
import { parseCsv } from '../../../src/shared/csv.ts';
import { evaluatePackage } from '../../../src/main/evaluate/package-eval.ts';
import { verifyPackage, type VerifiedPackage } from '../../../src/main/inference/model-packages.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';
import { buildTestPackage, rewriteManifest } from '../inference/fixtures/test-package.ts';

let root: string;
let pkg: VerifiedPackage;
const TCGA = path.join(SHARED_DATA, 'tcga');

function oofFromPathomicFusion(): { path: string; content: string; role: 'oof-predictions' }[] {
  const t = parseCsv(fs.readFileSync(sharedFile('predictions', 'pathomicfusion_15cv_test_predictions_per_patient.csv'), 'utf8'));
  const c = (n: string) => t.header.indexOf(n);
  const out: { path: string; content: string; role: 'oof-predictions' }[] = [];
  for (let k = 1; k <= 15; k++) {
    const rows = (task: string) => t.rows.filter((r) => r.cells[c('task')] === task && r.cells[c('model')] === 'omic' && r.cells[c('fold')] === String(k));
    out.push({ path: `oof_predictions/survival_fold${k}.csv`, role: 'oof-predictions', content: ['patient_id,fold,risk', ...rows('surv_15_rnaseq').map((r) => `${r.cells[c('TCGA ID')]},${k},${r.cells[c('hazard_mean')]}`)].join('\n') + '\n' });
    out.push({ path: `oof_predictions/grade_fold${k}.csv`, role: 'oof-predictions', content: ['patient_id,fold,p_II,p_III,p_IV', ...rows('grad_15').map((r) => `${r.cells[c('TCGA ID')]},${k},${r.cells[c('p_grade2')]},${r.cells[c('p_grade3')]},${r.cells[c('p_grade4')]}`)].join('\n') + '\n' });
  }
  return out;
}

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-pkgeval-'));
  const built = buildTestPackage(root, {
    extraFiles: oofFromPathomicFusion(),
    metrics: { protocol: 'Pathomic Fusion 15 splits (published genomic network)', survival: { cIndexMean: 0.808 }, grade: { accuracyMean: 0.652, aucMicroMean: 0.853 } },
  });
  pkg = await verifyPackage(built.dir);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('re-evaluated OOF predictions with labels joined from the TCGA tables match the published figures', () => {
  const r = evaluatePackage(pkg, TCGA);
  assert.equal(r.survival?.folds.length, 15);
  assert.equal(r.grade?.folds.length, 15);
  assert.equal(r.survival?.c_index_mean?.toFixed(3), '0.808');
  assert.equal(r.grade?.mean.accuracy?.toFixed(3), '0.652');
  assert.equal(r.grade?.mean.auc_micro?.toFixed(3), '0.853');
  assert.ok(r.ok, JSON.stringify(r.comparisons));
  assert.deepEqual(r.comparisons.filter((x) => x.matches !== null).map((x) => x.metric), ['survival.cIndexMean', 'grade.accuracyMean', 'grade.aucMicroMean']);
});

test('a manifest figure that the predictions do not support is flagged', async () => {
  const dir = path.join(root, 'inflated', pkg.id);
  fs.cpSync(pkg.dir, dir, { recursive: true });
  rewriteManifest(dir, (m) => { m.metrics.survival = { cIndexMean: 0.83 }; });
  const r = evaluatePackage(await verifyPackage(dir), TCGA);
  assert.equal(r.ok, false);
  const c = r.comparisons.find((x) => x.metric === 'survival.cIndexMean');
  assert.equal(c?.matches, false);
  assert.ok(Math.abs((c?.diff ?? 0) + 0.0216) < 1e-3);
});

test('a prediction for a patient without a label is an error naming it', () => {
  const tmp = path.join(root, 'labels');
  fs.mkdirSync(tmp);
  // Labels folder without one patient of fold 1: copy the tables minus that row (temp folder, removed after the run).
  const all = fs.readFileSync(path.join(TCGA, 'all_dataset.csv'), 'utf8').split('\n');
  const firstId = fs.readFileSync(path.join(pkg.dir, 'oof_predictions', 'survival_fold1.csv'), 'utf8').split('\n')[1]?.split(',')[0] ?? '';
  fs.writeFileSync(path.join(tmp, 'all_dataset.csv'), all.filter((l) => !l.startsWith(`${firstId},`)).join('\n'));
  fs.copyFileSync(path.join(TCGA, 'grade_data.csv'), path.join(tmp, 'grade_data.csv'));
  assert.throws(() => evaluatePackage(pkg, tmp), (e: unknown) => e instanceof GliofuseError && e.code === 'BAD_INPUT' && e.message.includes(`patient ${firstId}`) && e.message.includes('survival_fold1.csv'));
});

test('a row whose fold disagrees with its file name refuses the evaluation', async () => {
  const dir = path.join(root, 'wrongfold', pkg.id);
  fs.cpSync(pkg.dir, dir, { recursive: true });
  const rel = 'oof_predictions/grade_fold2.csv';
  const f = path.join(dir, rel);
  const lines = fs.readFileSync(f, 'utf8').split('\n');
  lines[1] = (lines[1] ?? '').replace(/,2,/, ',3,');
  fs.writeFileSync(f, lines.join('\n'));
  rewriteManifest(dir, (m) => {
    const e = m.files.find((x) => x.path === rel)!;
    e.sha256 = crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    e.bytes = fs.statSync(f).size;
  });
  const bad = await verifyPackage(dir);
  assert.throws(() => evaluatePackage(bad, TCGA), (e: unknown) => e instanceof GliofuseError && e.code === 'INTEGRITY' && /grade_fold2\.csv: line 2 says fold 3, the file name says 2/.test(e.message));
});
