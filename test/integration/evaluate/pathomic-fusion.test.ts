/**
 * Reproduces Pathomic Fusion's published 15-fold numbers from its own per-patient out-of-fold predictions
 * (../shared/data/predictions, never a committed copy): survival c-index per fold, patient level, fold mean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sharedFile } from '../../helpers/shared-data.ts';
import { parseCsv, type CsvTable } from '../../../src/shared/csv.ts';
import { classificationReport, evaluateSurvival, survivalReport } from '../../../src/main/evaluate/evaluate.ts';

const table: CsvTable = parseCsv(fs.readFileSync(sharedFile('predictions', 'pathomicfusion_15cv_test_predictions_per_patient.csv'), 'utf8'));
const col = (name: string) => {
  const i = table.header.indexOf(name);
  assert.ok(i >= 0, `column ${name}`);
  return i;
};
const [cTask, cModel, cFold, cId] = [col('task'), col('model'), col('fold'), col('TCGA ID')];
const rowsOf = (task: string, model: string) => table.rows.filter((r) => r.cells[cTask] === task && r.cells[cModel] === model);

function foldMeanCIndex(model: string) {
  const rows = rowsOf('surv_15_rnaseq', model);
  const recs = rows.map((r) => ({ time: Number(r.cells[col('survival_days')]), event: Number(r.cells[col('event')]) as 0 | 1, risk: Number(r.cells[col('hazard_mean')]) }));
  return survivalReport(recs, rows.map((r) => r.cells[cFold] as string), 0, 1, 'fold');
}

test('pathgraphomic_fusion: fold-mean patient-level c-index = 0.826 (published)', () => {
  const rep = foldMeanCIndex('pathgraphomic_fusion');
  assert.equal(rep.groups?.values.length, 15);
  const mean = rep.groups?.c_index_mean as number;
  assert.equal(mean.toFixed(3), '0.826', `got ${mean}`);
});

test('omic (genomic network): fold-mean patient-level c-index = 0.808 (published)', () => {
  const rep = foldMeanCIndex('omic');
  const mean = rep.groups?.c_index_mean as number;
  assert.equal(mean.toFixed(3), '0.808', `got ${mean}`);
});

test('grade: fold-mean accuracy / micro AUC reproduce the published 0.751 / 0.917 (fusion) and 0.652 / 0.853 (omic)', () => {
  for (const [model, acc, auc] of [['pathgraphomic_fusion', '0.751', '0.917'], ['omic', '0.652', '0.853']] as const) {
    const rows = rowsOf('grad_15', model);
    const probs = rows.map((r) => ['p_grade2', 'p_grade3', 'p_grade4'].map((c) => Number(r.cells[col(c)])));
    const labels = rows.map((r) => Number(r.cells[col('grade_gt')]) - 2);
    const rep = classificationReport(['II', 'III', 'IV'], labels, probs, rows.map((r) => r.cells[cFold] as string), 0, 1, 'fold');
    assert.equal(rep.groups?.mean.accuracy?.toFixed(3), acc, model);
    assert.equal(rep.groups?.mean.auc_micro?.toFixed(3), auc, model);
  }
});

test('the CSV path of `evaluate survival --by fold` gives the same fold mean as the direct computation', () => {
  const rows = rowsOf('surv_15_rnaseq', 'pathgraphomic_fusion');
  const csv = ['patient_id,time,event,risk,fold', ...rows.map((r) => [r.cells[cId], r.cells[col('survival_days')], r.cells[col('event')], r.cells[col('hazard_mean')], r.cells[cFold]].join(','))].join('\n');
  const rep = evaluateSurvival(csv, { by: 'fold' });
  assert.equal(rep.groups?.c_index_mean, foldMeanCIndex('pathgraphomic_fusion').groups?.c_index_mean);
  assert.equal(rep.n, rows.length);
});
