/**
 * The shipped reference package (models/umeml-gbmlgg-genomic-ref, trained by models/training): it verifies, its
 * ONNX outputs match the PyTorch outputs in its parity_fixture.json through onnxruntime-node (≤ tolerance), its
 * out-of-fold predictions re-evaluate to the metrics its manifest states, and the public table validates against
 * its genomic schema. Skipped only while the package has not been built into the tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, SHARED_DATA, sharedFile } from '../../helpers/shared-data.ts';
import { verifyPackage } from '../../../src/main/inference/model-packages.ts';
import { UmemlSession } from '../../../src/main/inference/umeml-session.ts';
import { evaluatePackage } from '../../../src/main/evaluate/package-eval.ts';
import { validateProfile } from '../../../src/main/genomics/profile.ts';
import { maxAbsDiffOverFixture, readParityFixture } from './fixtures/parity.ts';

const DIR = path.join(REPO_ROOT, 'models', 'umeml-gbmlgg-genomic-ref');
const skip = fs.existsSync(path.join(DIR, 'manifest.json')) ? false : 'reference package not built yet (npm run train:reference)';

test('reference package verifies and declares genomics (no pathology) as validated', { skip }, async () => {
  const pkg = await verifyPackage(DIR, { expectFolderName: true });
  assert.equal(pkg.id, 'umeml-gbmlgg-genomic-ref');
  assert.ok(pkg.manifest.validatedModalities.includes('genomics'));
  assert.ok(!pkg.manifest.validatedModalities.includes('pathology'));
});

test('reference package: ONNX parity with PyTorch through onnxruntime-node', { skip }, async (t) => {
  const pkg = await verifyPackage(DIR);
  const fixture = pkg.manifest.files.find((f) => f.path === 'parity_fixture.json');
  assert.ok(fixture, 'parity_fixture.json is listed in the manifest');
  const fx = readParityFixture(path.join(DIR, fixture.path));
  const s = await UmemlSession.open(pkg, { forceCpu: true });
  try {
    const { maxDiff, perCase } = await maxAbsDiffOverFixture(s, fx);
    t.diagnostic(`parity max |onnx - torch| = ${maxDiff.toExponential(3)} over ${perCase.length} cases (tolerance ${fx.tolerance})`);
    for (const c of perCase) t.diagnostic(`  ${c.name}: N=${c.n} max ${c.maxDiff.toExponential(3)} (${c.worstOutput})`);
    assert.ok(fx.tolerance <= 1e-4);
    assert.ok(maxDiff <= fx.tolerance, `max diff ${maxDiff}`);
  } finally {
    await s.close();
  }
});

test('reference package: OOF predictions re-evaluate to the manifest metrics', { skip }, async (t) => {
  const pkg = await verifyPackage(DIR);
  const r = evaluatePackage(pkg, path.join(SHARED_DATA, 'tcga'));
  for (const c of r.comparisons) t.diagnostic(`${c.metric}: evaluated ${c.evaluated} manifest ${c.manifest} diff ${c.diff}`);
  assert.ok(r.survival, 'survival OOF present');
  assert.equal(r.survival.folds.length, 15);
  assert.ok(r.comparisons.some((c) => c.metric === 'survival.cIndexMean' && c.matches === true));
  assert.ok(r.ok, JSON.stringify(r.comparisons.filter((c) => c.matches === false)));
});

test('reference package: a row of all_dataset.csv validates against its genomic schema', { skip }, async () => {
  const pkg = await verifyPackage(DIR);
  const { report, input } = validateProfile({ id: pkg.id, version: pkg.manifest.version, schema: pkg.manifest.genomicSchema }, 'all_dataset.csv', fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8'), 'TCGA-02-0001');
  assert.ok(report.ok, JSON.stringify(report.errors.slice(0, 3)));
  assert.equal(report.observed, 80);
  assert.equal(input?.vector.length, pkg.manifest.onnx.genomicDim);
});
