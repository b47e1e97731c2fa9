import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortWarnings } from '../../../src/main/report/render-pdf.ts';
import { cohortForResult, type ModelInfo } from '../../../src/main/report/model-info.ts';
import type { KmCohort } from '../../../src/shared/contract/report.ts';

test('warnings: critical, then warning, then info; the pipeline order is kept within a severity', () => {
  const w = sortWarnings([
    { code: 'cpu_fallback', severity: 'info', message: 'a' },
    { code: 'imputed_genomic_fields', severity: 'warning', message: 'b' },
    { code: 'unvalidated_modality', severity: 'critical', message: 'c' },
    { code: 'quality_flag', severity: 'warning', message: 'd' },
  ]);
  assert.deepEqual(w.map((x) => x.message), ['c', 'b', 'd', 'a']);
});

const cohort: KmCohort = { riskGroups: { names: ['low', 'high'], cutoffs: [0] }, curves: { outOfFold: { description: 'x', groups: [{ name: 'low', n: 1, events: 0, timesDays: [0], survival: [1], atRisk: [1] }] } } };
const info = (over: Partial<ModelInfo>): ModelInfo => ({ modelId: 'm', available: true, reason: null, packageDigest: 'd1', modelVersion: '1.0.0', intendedUse: null, cohort, ...over });

test('cohort curves are shown only next to a result of the same package digest', () => {
  assert.deepEqual(cohortForResult(info({}), 'd1'), { cohort, note: null });
  const other = cohortForResult(info({ modelVersion: '1.1.0', packageDigest: 'd2' }), 'd1');
  assert.equal(other.cohort, null);
  assert.match(other.note ?? '', /version 1\.1\.0\) is not the one that produced this result/);
  const missing = cohortForResult(info({ available: false, cohort: null, reason: 'No model package "m" is installed.' }), 'd1');
  assert.deepEqual(missing, { cohort: null, note: 'No model package "m" is installed.' });
});
