/**
 * docs/inference.md's float-vs-int8 encoder figures come from docs/figures/float-encoder.json; this recomputes
 * them (CPU, real TCGA tiles, the analysis test package) and fails when the stored figures or the doc drift.
 * Regenerate with: node --import tsx test/integration/analysis/fixtures/float-encoder-figures.ts --write
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/shared-data.ts';
import { computeFloatEncoderFigures, figuresSentence, FIGURES_FILE, type FloatEncoderFigures } from './fixtures/float-encoder-figures.ts';

test('float tile encoder vs int8: the stored figures are what the code computes, and the doc quotes them', async () => {
  const stored = JSON.parse(fs.readFileSync(FIGURES_FILE, 'utf8')) as FloatEncoderFigures;
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'inference.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(doc.includes(figuresSentence(stored)), `docs/inference.md must contain: ${figuresSentence(stored)}`);
  const now = await computeFloatEncoderFigures();
  assert.equal(now.tiles, stored.tiles);
  assert.deepEqual(now.rois, stored.rois);
  // CPU kernels differ in the last bits between instruction sets; the figures are quoted to 4 decimals.
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 2e-4, `${what}: computed ${a}, stored ${b}`);
  close(now.cosine.min, stored.cosine.min, 'cosine min');
  close(now.cosine.mean, stored.cosine.mean, 'cosine mean');
  close(now.package.maxAbsDiffClassProb, stored.package.maxAbsDiffClassProb, 'class probability');
  close(now.package.maxAbsDiffGradeProb, stored.package.maxAbsDiffGradeProb, 'grade probability');
  close(now.package.maxAbsDiffRisk, stored.package.maxAbsDiffRisk, 'risk');
  assert.equal(now.package.topClassAgrees, stored.package.topClassAgrees);
  assert.equal(now.package.topGradeAgrees, stored.package.topGradeAgrees);
});
