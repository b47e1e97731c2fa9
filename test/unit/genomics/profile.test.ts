import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { validateProfile, type SchemaRef } from '../../../src/main/genomics/profile.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { testManifest } from '../../integration/inference/fixtures/test-package.ts';

const m = testManifest();
const ref: SchemaRef = { id: m.id, version: m.version, schema: m.genomicSchema };
const ALL = fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8');
const feature = (id: string) => m.genomicSchema.features.find((f) => f.id === id)!;

function rejects(fn: () => unknown, code: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof GliofuseError && e.code === code && re.test(e.message));
}

test('all_dataset.csv imports as it is with --row-id: 80 observed, age imputed, outcome columns ignored with a note', () => {
  const { report, input } = validateProfile(ref, 'all_dataset.csv', ALL, 'TCGA-02-0001');
  assert.equal(report.ok, true, JSON.stringify(report.errors));
  assert.equal(report.rowId, 'TCGA-02-0001');
  assert.equal(report.observed, 80);
  assert.equal(report.imputed, 1);
  const age = report.fields.find((f) => f.featureId === 'age_at_diagnosis');
  assert.equal(age?.status, 'imputed');
  assert.equal(age?.message, 'column absent; imputed');
  for (const col of ['indexes', 'censored', 'Survival months']) assert.ok(report.notes.some((n) => n.includes(`"${col}" ignored`)), col);
  // TCGA-02-0001: EGFR = 1 (first gene column); vector = (x - mean) / std, mask 1
  const egfr = m.genomicSchema.features.findIndex((f) => f.id === 'EGFR');
  assert.equal(input?.values.EGFR, 1);
  assert.ok(Math.abs((input?.vector[egfr] as number) - (1 - 0.1) / 0.8) < 1e-12);
  assert.equal(input?.mask[egfr], 1);
  assert.equal(input?.vector.length, 81);
  assert.equal(input?.mask.at(-1), 0);
  assert.ok(Math.abs((input?.vector.at(-1) as number) - (50 - 50) / 15) < 1e-12);
});

test('NA markers are imputed and flagged, not errors', () => {
  const { report, input } = validateProfile(ref, 'all_dataset.csv', ALL, 'TCGA-02-0258');
  assert.equal(report.ok, true);
  const idh = report.fields.find((f) => f.featureId === 'idh_mutation');
  assert.equal(idh?.status, 'imputed');
  assert.equal(idh?.raw, 'NA');
  assert.equal(idh?.message, 'missing value; imputed');
  assert.equal(input?.values.idh_mutation, null);
  assert.equal(report.imputed, 3); // codeletion, IDH, age
});

test('several rows need --row-id; an unknown id is NOT_FOUND', () => {
  rejects(() => validateProfile(ref, 'all_dataset.csv', ALL), 'BAD_INPUT', /769 rows; choose one with --row-id \(id column "TCGA ID"\)/);
  rejects(() => validateProfile(ref, 'all_dataset.csv', ALL, 'TCGA-XX-0000'), 'NOT_FOUND', /No row with TCGA ID "TCGA-XX-0000"/);
  rejects(() => validateProfile(ref, 'p.csv', 'EGFR,1q\n1,0.2\n', 'P1'), 'BAD_INPUT', /no id column/);
});

test('a one-row CSV by feature ids; absent columns imputed; header names match case-insensitively after trimming', () => {
  const { report, input } = validateProfile(ref, 'p.csv', ' IDH Mutation ,codeletion_1p19q,EGFR,age\n1,0,-2,61\n');
  assert.equal(report.ok, true);
  assert.equal(report.observed, 4);
  assert.equal(report.imputed, 77);
  assert.equal(input?.values.idh_mutation, 1);
  assert.equal(input?.values.age_at_diagnosis, 61);
  assert.equal(report.fields.find((f) => f.featureId === 'idh_mutation')?.source, 'IDH Mutation');
});

test('field errors name the field: out of range, not a number, not binary, not whole, unknown column', () => {
  const { report, input } = validateProfile(ref, 'p.csv', 'EGFR,MDM4,codeletion,PTEN,1q,age,mystery\n3,abc,0.5,1.5,9,130,1\n');
  assert.equal(report.ok, false);
  assert.equal(input, null);
  const msg = (field: string) => report.errors.find((e) => e.field === field)?.message ?? '';
  assert.match(msg('EGFR'), /EGFR CNV \(EGFR\): 3 is outside the allowed range -2 to 2 GISTIC/);
  assert.match(msg('MDM4'), /"abc" is not a number/);
  assert.match(msg('codeletion_1p19q'), /0\.5 is not 0 or 1/);
  assert.match(msg('PTEN'), /1\.5 is not a whole number/);
  assert.match(msg('arm_1q'), /9 is outside the allowed range -5 to 5/);
  assert.match(msg('age_at_diagnosis'), /130 is outside the allowed range 0 to 120 years/);
  assert.match(msg('mystery'), /unknown column "mystery"/);
  assert.equal(report.fields.find((f) => f.featureId === 'EGFR')?.status, 'error');
});

test('two columns for one feature is an error; an unnamed index column is ignored with a note', () => {
  const dup = validateProfile(ref, 'p.csv', 'codeletion,codeletion_1p19q\n1,1\n');
  assert.match(dup.report.errors[0]?.message ?? '', /columns "codeletion" and "codeletion_1p19q" both give 1p\/19q codeletion/);
  const idx = validateProfile(ref, 'p.csv', ',EGFR\n0,1\n');
  assert.equal(idx.report.ok, true);
  assert.match(idx.report.notes.join(' '), /unnamed column/);
});

test('a file with no feature of the model is refused', () => {
  const r = validateProfile(ref, 'p.csv', 'TCGA ID,censored\nX,1\n');
  assert.equal(r.report.ok, false);
  assert.match(r.report.errors[0]?.message ?? '', /no feature of the model was found/);
});

test('JSON object: numbers, numeric strings, null/NA imputed, id key recorded; arrays and objects rejected', () => {
  const { report, input } = validateProfile(ref, 'p.json', JSON.stringify({ 'TCGA ID': 'TCGA-AB-1234', codeletion: 1, 'idh mutation': '1', 'Age at diagnosis': 45.5, EGFR: null, MDM4: 'NA' }));
  assert.equal(report.ok, true);
  assert.equal(report.format, 'json');
  assert.equal(report.rowId, 'TCGA-AB-1234');
  assert.equal(report.observed, 3);
  assert.equal(input?.values.age_at_diagnosis, 45.5);
  assert.equal(report.fields.find((f) => f.featureId === 'EGFR')?.status, 'imputed');
  const bad = validateProfile(ref, 'p.json', '{"EGFR": [1], "MDM4": true}');
  assert.equal(bad.report.errors.length, 2);
  assert.match(bad.report.errors[0]?.message ?? '', /EGFR: expected a number or null, got an array/);
  rejects(() => validateProfile(ref, 'p.json', '[{"EGFR": 1}]'), 'BAD_INPUT', /one object/);
  rejects(() => validateProfile(ref, 'p.json', '{"EGFR": 1'), 'BAD_INPUT', /not valid JSON/);
  rejects(() => validateProfile(ref, 'p.json', '{"EGFR": 1}', 'x'), 'BAD_INPUT', /--row-id applies to CSV/);
});

test('normalisation follows the manifest: (x - mean) / std; imputed = (impute - mean) / std with mask 0', () => {
  const { input } = validateProfile(ref, 'p.csv', 'codeletion\n1\n');
  const f = feature('codeletion_1p19q');
  assert.ok(Math.abs((input?.vector[0] as number) - (1 - f.normalise.mean) / f.normalise.std) < 1e-12);
  const i = m.genomicSchema.features.findIndex((x) => x.id === 'idh_mutation');
  const g = feature('idh_mutation');
  assert.ok(Math.abs((input?.vector[i] as number) - (g.impute - g.normalise.mean) / g.normalise.std) < 1e-12);
  assert.equal(input?.mask[i], 0);
});
