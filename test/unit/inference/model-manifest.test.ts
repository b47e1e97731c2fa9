import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelManifest, describeManifestIssues, normaliseColumnName } from '../../../src/shared/model-manifest.ts';
import { testManifest } from '../../integration/inference/fixtures/test-package.ts';

const parse = (m: unknown) => ModelManifest.safeParse(m);
function refused(m: unknown, needle: RegExp): void {
  const r = parse(m);
  assert.equal(r.success, false, 'expected a refusal');
  if (!r.success) assert.match(describeManifestIssues(r.error, 10), needle);
}
const clone = () => structuredClone(testManifest());

test('a complete manifest (80 TCGA features + age) passes', () => {
  const r = parse(testManifest());
  assert.ok(r.success, r.success ? '' : describeManifestIssues(r.error));
  assert.equal(r.data.genomicSchema.features.length, 81);
});

test('hashes must be 64 lowercase hex characters', () => {
  const m = clone();
  (m.files[0] as { sha256: string }).sha256 = 'ABC';
  refused(m, /files\.0\.sha256/);
});

test('version must be semver and id lowercase-dashed', () => {
  refused({ ...clone(), version: '1.0' }, /version/);
  refused({ ...clone(), id: 'Bad_ID' }, /id/);
});

test('intendedUse must carry the RUO statement', () => {
  refused({ ...clone(), intendedUse: 'Clinical use.' }, /intendedUse must contain "For Research Use Only/);
});

test('validatedModalities only pathology / genomics / clinical, no repeats', () => {
  refused({ ...clone(), validatedModalities: ['radiology'] }, /validatedModalities/);
  refused({ ...clone(), validatedModalities: ['genomics', 'genomics'] }, /must not repeat/);
  refused({ ...clone(), validatedModalities: [] }, /validatedModalities/);
});

test('file paths cannot escape the package and exactly one model file is required', () => {
  const m = clone();
  (m.files[1] as { path: string }).path = '../outside.md';
  refused(m, /files\.1\.path/);
  const m2 = clone();
  (m2.files[1] as { role: string }).role = 'model';
  refused(m2, /exactly one file with role "model"/);
  const m3 = clone();
  m3.files = m3.files.filter((f) => f.path !== 'MODEL_CARD.md');
  refused(m3, /MODEL_CARD\.md must be listed/);
});

test('genomic schema: impute within range, binary is 0..1, std > 0, aliases unambiguous', () => {
  const a = clone();
  a.genomicSchema.features[0]!.impute = 3;
  refused(a, /impute value 3 is outside/);
  const b = clone();
  b.genomicSchema.features[0]!.max = 2;
  refused(b, /binary feature has min 0 and max 1/);
  const c = clone();
  c.genomicSchema.features[2]!.normalise.std = 0;
  refused(c, /normalise\.std/);
  const d = clone();
  d.genomicSchema.features[3]!.aliases = ['IDH']; // already an alias of idh_mutation
  refused(d, /claimed by both idh_mutation and/);
  const e = clone();
  e.genomicSchema.idColumnAliases.push('age');
  refused(e, /id column alias "age" is also a name of feature age_at_diagnosis/);
});

test('labels: unique, one display name per class', () => {
  const m = clone();
  m.labels.classDisplay.pop();
  refused(m, /classDisplay needs one entry per class/);
  refused({ ...clone(), labels: { ...clone().labels, grade: ['II', 'II', 'IV'] } }, /grade labels must be unique/);
});

test('survival bins start at 0, increase, only the last may be open', () => {
  const m = clone();
  m.survival.binEdgesDays = [0, 365, null, 900];
  refused(m, /only the last bin edge may be open/);
  const n = clone();
  n.survival.binEdgesDays = [0, 365, 300, null];
  refused(n, /increase strictly/);
  const r = clone();
  r.survival.riskGroups.names = ['low', 'high'];
  refused(r, /one more name than cut-offs/);
});

test('column names compare case-insensitively after trimming', () => {
  assert.equal(normaliseColumnName(' Idh Mutation '), 'idh mutation');
  assert.notEqual(normaliseColumnName('idh_mutation'), normaliseColumnName('idh mutation'));
});

test('onnx dimensions must agree with the tile encoder and the genomic schema', () => {
  refused({ ...clone(), onnx: { ...clone().onnx, genomicDim: 80 } }, /onnx\.genomicDim 80 differs from the 81 features/);
  refused({ ...clone(), onnx: { ...clone().onnx, patchFeatureDim: 1280 } }, /patchFeatureDim 1280 differs from tileEncoder\.featureDim/);
});
