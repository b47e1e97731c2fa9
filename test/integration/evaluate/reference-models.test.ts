/**
 * `evaluate package` on the shipped reference package re-scores the clinical reference models stored beside UMEML
 * (issue 10.4 / 11.5): each model's c-index from its own OOF files, the paired per-split comparison with UMEML, and
 * both checked against the manifest and against clinical_reference.json (what the app shows beside the AI).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, SHARED_DATA } from '../../helpers/shared-data.ts';
import { verifyPackage } from '../../../src/main/inference/model-packages.ts';
import { evaluatePackage } from '../../../src/main/evaluate/package-eval.ts';
import { loadClinicalReference } from '../../../src/main/inference/clinical-reference.ts';
import { rewriteManifest } from '../inference/fixtures/test-package.ts';

const DIR = path.join(REPO_ROOT, 'models', 'umeml-gbmlgg-genomic-ref');
const TCGA = path.join(SHARED_DATA, 'tcga');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-refeval-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the clinical reference models re-score to what the manifest and clinical_reference.json state', async () => {
  const pkg = await verifyPackage(DIR);
  const r = evaluatePackage(pkg, TCGA);
  assert.ok(r.ok, JSON.stringify(r.comparisons.filter((c) => c.matches === false)));
  const ids = r.references.map((x) => x.id).sort();
  for (const id of ['cox-idh-1p19q-age', 'cox-panel-age', 'softmax-panel-age']) assert.ok(ids.includes(id), id);
  const ref = loadClinicalReference(DIR);
  assert.ok(ref);
  for (const m of ref.models) {
    const ev = r.references.find((x) => x.id === m.id);
    assert.ok(ev?.pairedVsUmeml, m.id);
    assert.equal(ev.folds.length, 15);
    assert.equal(ev.pairedVsUmeml.umeml_wins, m.pairedVsUmeml.umemlWins);
    assert.ok(Math.abs((ev.mean.c_index ?? 0) - m.cv.cIndexMean) < 1e-12);
    // the paired delta is UMEML minus the reference, fold by fold, on the same patients
    const d = ev.folds.map((f) => (r.survival?.folds.find((u) => u.fold === f.fold)?.c_index ?? NaN) - (f.value ?? NaN));
    assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) / d.length - m.pairedVsUmeml.meanDelta) < 1e-12);
  }
  // UMEML's 6-class diagnosis (class_fold<k>.csv), labels from molecular subtype + grade, checked against the manifest
  if (pkg.manifest.files.some((f) => f.path === 'oof_predictions/class_fold1.csv')) {
    assert.equal(r.class?.folds, 15);
    assert.ok(r.comparisons.some((c) => c.metric === 'class.accuracyMean' && c.matches === true));
  }
  // the measurement: the 3-variable Cox reaches about 0.81 on these splits
  const clin = r.references.find((x) => x.id === 'cox-idh-1p19q-age');
  assert.ok((clin?.mean.c_index ?? 0) > 0.80 && (clin?.mean.c_index ?? 1) < 0.82);
});

test('an added value the predictions do not support is flagged (clinical_reference.json edited)', async () => {
  const dir = path.join(tmp, 'umeml-gbmlgg-genomic-ref');
  fs.cpSync(DIR, dir, { recursive: true });
  const p = path.join(dir, 'clinical_reference.json');
  const doc = JSON.parse(fs.readFileSync(p, 'utf8')) as { models: { pairedVsUmeml: { umemlWins: number } }[] };
  (doc.models[0] as { pairedVsUmeml: { umemlWins: number } }).pairedVsUmeml.umemlWins += 8;
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  fs.writeFileSync(p, text);
  rewriteManifest(dir, (m) => {
    const f = m.files.find((x) => x.path === 'clinical_reference.json');
    assert.ok(f);
    f.sha256 = crypto.createHash('sha256').update(text).digest('hex');
    f.bytes = Buffer.byteLength(text);
  });
  const r = evaluatePackage(await verifyPackage(dir), TCGA);
  assert.equal(r.ok, false);
  assert.deepEqual(r.comparisons.filter((c) => c.matches === false).map((c) => c.metric), ['clinical_reference.cox-idh-1p19q-age.pairedVsUmeml.umemlWins']);
});

test('gliofuse evaluate package prints UMEML, both Cox models and the paired comparison', () => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'gliofuse.js'), 'evaluate', 'package', 'umeml-gbmlgg-genomic-ref'],
    { encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^survival: c-index 0\.\d{4} ± 0\.\d{4} over 15 folds/m);
  for (const id of ['cox-idh-1p19q-age', 'cox-panel-age']) {
    assert.match(r.stdout, new RegExp(`^reference .*\\[${id}\\]: c-index 0\\.\\d{4} ± 0\\.\\d{4} over 15 folds; UMEML − reference [+-]0\\.\\d{4} ± 0\\.\\d{4}, UMEML ahead on \\d+ of 15 folds$`, 'm'));
  }
  assert.doesNotMatch(r.stdout, /MISMATCH/);
});
