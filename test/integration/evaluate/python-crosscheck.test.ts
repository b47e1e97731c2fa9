/**
 * The TypeScript metrics and the training recipe's (models/training/umeml/metrics.py, run by /usr/bin/python3)
 * give the same numbers on the same predictions: Pathomic Fusion's per-patient genomic-network predictions, per fold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { parseCsv } from '../../../src/shared/csv.ts';
import { classificationMetrics, harrellCIndex, meanSd, seededRandom } from '../../../src/main/evaluate/metrics.ts';

const METRICS_PY = path.join(REPO_ROOT, 'models', 'training', 'umeml', 'metrics.py');

const PY = `
import json, sys
sys.path.insert(0, sys.argv[1])
from umeml.metrics import c_index, classification_metrics, mean_sd
d = json.load(sys.stdin)
out = {'surv': [c_index(f['time'], f['event'], f['risk']) for f in d['surv']],
       'cls': [classification_metrics(f['labels'], f['probs']) for f in d['cls']]}
out['surv_mean_sd'] = mean_sd(out['surv'])
print(json.dumps(out))
`;

interface PyOut {
  surv: number[];
  cls: { accuracy: number; balanced_accuracy: number; auc_micro: number; auc_macro: number; n: number }[];
  surv_mean_sd: { mean: number; sd: number };
}

function python(input: unknown): PyOut {
  const r = spawnSync('/usr/bin/python3', ['-c', PY, path.join(REPO_ROOT, 'models', 'training')], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PyOut;
}

const skip = fs.existsSync(METRICS_PY) ? false : 'models/training/umeml/metrics.py not present';

test('c-index and classification metrics agree with the recipe on tie-free synthetic predictions', { skip }, () => {
  const rand = seededRandom(5);
  const surv = [0, 1, 2].map(() => {
    const n = 150;
    const time = Array.from({ length: n }, (_, i) => i * 3 + 1 + rand()); // distinct times
    return { time, event: time.map(() => (rand() < 0.6 ? 1 : 0)), risk: time.map((t) => Math.round(-t / 50 + rand() * 4)) }; // tied risks on purpose
  });
  const cls = [0, 1].map(() => {
    const n = 120;
    const labels = Array.from({ length: n }, () => Math.floor(rand() * 3));
    const probs = labels.map((y) => { const p = [rand(), rand(), rand()]; p[y] = (p[y] as number) + 0.5; const s = p.reduce((a, b) => a + b, 0); return p.map((x) => Math.round((x / s) * 20) / 20); });
    return { labels, probs };
  });
  const py = python({ surv, cls });
  surv.forEach((f, i) => {
    const ts = harrellCIndex(f.time.map((t, k) => ({ time: t, event: f.event[k] as 0 | 1, risk: f.risk[k] as number }))).cIndex;
    assert.ok(Math.abs(ts - (py.surv[i] as number)) < 1e-12, `fold ${i}: ${ts} vs ${py.surv[i]}`);
  });
  cls.forEach((f, i) => {
    const m = classificationMetrics({ classes: ['II', 'III', 'IV'], labels: f.labels, probs: f.probs });
    const p = py.cls[i]!;
    for (const [a, b] of [[m.accuracy, p.accuracy], [m.balancedAccuracy, p.balanced_accuracy], [m.aucMicro, p.auc_micro], [m.aucMacro, p.auc_macro]] as const) assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  });
});

test('per-fold metrics on Pathomic Fusion predictions agree with the recipe (c-index, grade accuracy/AUC, fold mean ± sd)', { skip }, (t) => {
  const tab = parseCsv(fs.readFileSync(sharedFile('predictions', 'pathomicfusion_15cv_test_predictions_per_patient.csv'), 'utf8'));
  const c = (n: string) => tab.header.indexOf(n);
  const rows = (task: string, k: number) => tab.rows.filter((r) => r.cells[c('task')] === task && r.cells[c('model')] === 'omic' && r.cells[c('fold')] === String(k));
  const folds = Array.from({ length: 15 }, (_, i) => i + 1);
  const surv = folds.map((k) => {
    const r = rows('surv_15_rnaseq', k);
    return { time: r.map((x) => Number(x.cells[c('survival_days')])), event: r.map((x) => Number(x.cells[c('event')])), risk: r.map((x) => Number(x.cells[c('hazard_mean')])) };
  });
  const cls = folds.map((k) => {
    const r = rows('grad_15', k);
    return { labels: r.map((x) => Number(x.cells[c('grade_gt')]) - 2), probs: r.map((x) => ['p_grade2', 'p_grade3', 'p_grade4'].map((n) => Number(x.cells[c(n)]))) };
  });
  const py = python({ surv, cls });
  const ts = surv.map((f) => harrellCIndex(f.time.map((tm, k) => ({ time: tm, event: f.event[k] as 0 | 1, risk: f.risk[k] as number }))).cIndex);
  t.diagnostic(`fold-mean c-index: TS ${meanSd(ts).mean} / recipe ${py.surv_mean_sd.mean}`);
  ts.forEach((v, i) => assert.ok(Math.abs(v - (py.surv[i] as number)) < 1e-12, `fold ${i + 1}: TS ${v} vs recipe ${py.surv[i]} (time-tie rule differs?)`));
  assert.ok(Math.abs(meanSd(ts).sd - py.surv_mean_sd.sd) < 1e-12);
  cls.forEach((f, i) => {
    const m = classificationMetrics({ classes: ['II', 'III', 'IV'], labels: f.labels, probs: f.probs });
    const p = py.cls[i]!;
    assert.ok(Math.abs(m.accuracy - p.accuracy) < 1e-12 && Math.abs(m.aucMicro - p.auc_micro) < 1e-12 && Math.abs(m.aucMacro - p.auc_macro) < 1e-12 && Math.abs(m.balancedAccuracy - p.balanced_accuracy) < 1e-12, `fold ${i + 1}`);
  });
});
