import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResult, type ResultParts } from '../../../src/main/analysis/result.ts';
import { testManifest } from '../../integration/inference/fixtures/test-package.ts';

const m = testManifest();
const provenance: ResultParts['provenance'] = {
  modelId: m.id, modelVersion: m.version, modelSha256: 'a'.repeat(64), packageDigest: 'b'.repeat(64), validatedModalities: ['genomics'], usedModalities: ['genomics'],
  executionProvider: 'cpu', onnxruntimeVersion: '1', tileEncoder: null, preprocessing: {}, slide: null, genomics: null, appVersion: '0', createdAt: new Date(0).toISOString(),
};
const parts = (attrs: { featureId: string; value: number | null }[], grade: number[], cls: number[]): ResultParts => ({
  manifest: m,
  output: { gradeProbs: grade, classProbs: cls, hazards: [0.1], survival: [0.9], risk: 0, modalityContributions: { pathology: 0, genomics: 1 } },
  heatmap: null, topPatches: [], pathologyIsEvidence: false, warnings: [], provenance, genomicAttributionMethod: 'test',
  genomicAttributions: attrs.map((a) => ({ ...a, display: a.featureId, imputed: a.value === null, attribution: 0 })),
});
const oneHot = (n: number, i: number) => Array.from({ length: n }, (_, k) => (k === i ? 0.9 : 0.1 / (n - 1)));

test('the stored result carries the WHO CNS5 criteria on the measured values and what disagrees with the AI', () => {
  const g = m.labels.grade.length;
  const c = m.labels.class.length;
  // IDH-wildtype + EGFR amplification; the AI says histological grade II (index 0) and class index 0.
  const r = buildResult(parts([{ featureId: 'idh_mutation', value: 0 }, { featureId: 'codeletion_1p19q', value: 0 }, { featureId: 'cnv_egfr', value: 2 }, { featureId: 'cnv_cdkn2a', value: null }], oneHot(g, 0), oneHot(c, 0)));
  assert.equal(r.whoCns5?.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.ok(r.whoCns5?.missing.every((x) => x.field !== 'cnv_cdkn2a'), 'CDKN2A does not matter for an IDH-wildtype glioblastoma');
  assert.ok(r.disagreements?.some((d) => d.code === 'ai-grade-vs-criteria-grade' && /AI histological grade 2 \(TCGA, pre-2021\) vs WHO CNS5 criteria CNS WHO grade 4/.test(d.message)), JSON.stringify(r.disagreements));
  assert.equal(r.grade.probs[0]?.display, 'Histological grade 2 (TCGA, pre-2021)');
  // No measured genomic value: no criteria at all (never a guess).
  const none = buildResult(parts([{ featureId: 'idh_mutation', value: null }], oneHot(g, 0), oneHot(c, 0)));
  assert.equal(none.whoCns5, undefined);
  assert.equal(none.disagreements, undefined);
});
