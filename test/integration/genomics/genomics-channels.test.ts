import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { buildTestPackage } from '../inference/fixtures/test-package.ts';

let app: TestApp;
let caseId: number;
const ALL = fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8');
const MODEL = 'umeml-test-tiny';

before(async () => {
  app = await startTestApp();
  buildTestPackage(path.join(app.dir, 'data', 'models'), { id: MODEL });
  const p = await app.call('patients.create', { pseudonym: 'GF-0001', phi: {} });
  caseId = (await app.call('cases.create', { patientId: p.id, accession: 'S26-001' })).id;
});
after(async () => app.close());

test('models.list / models.get: the imported test package is verified, with manifest and model card', async () => {
  const { packages } = await app.call('models.list', {});
  const mine = packages.find((p) => p.id === MODEL);
  assert.ok(mine, 'listed');
  assert.equal(mine.source, 'user');
  assert.equal(mine.active, true);
  assert.equal(mine.verification.ok, true);
  assert.match(mine.verification.digest ?? '', /^[0-9a-f]{64}$/);
  const got = await app.call('models.get', { id: MODEL });
  assert.equal(got.manifest?.genomicSchema.features.length, 81);
  assert.match(got.modelCard ?? '', /For Research Use Only/);
  const missing = await app.raw('models.get', { id: 'no-such-model' });
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.equal(missing.error.code, 'NOT_FOUND');
});

test('genomics.validate reports per field without storing anything', async () => {
  const r = await app.call('genomics.validate', { fileName: 'all_dataset.csv', content: ALL, rowId: 'TCGA-02-0258', modelId: MODEL });
  assert.equal(r.ok, true);
  assert.equal(r.imputed, 3);
  const { profiles } = await app.call('genomics.get', { caseId });
  assert.equal(profiles.length, 0);
});

test('genomics.import stores the profile with the file hash and report, audited with the pseudonym', async () => {
  const prof = await app.call('genomics.import', { caseId, fileName: 'all_dataset.csv', content: ALL, rowId: 'TCGA-02-0001', modelId: MODEL });
  assert.equal(prof.sourceSha256, crypto.createHash('sha256').update(fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'))).digest('hex'));
  assert.equal(prof.patientPseudonym, 'GF-0001');
  assert.equal(prof.report.rowId, 'TCGA-02-0001');
  assert.equal(prof.input.vector.length, 81);
  const ev = (await app.call('audit.list', { action: 'genomics.imported', limit: 10, offset: 0 })).events;
  assert.equal(ev.length, 1);
  assert.equal(ev[0]?.patientPseudonym, 'GF-0001');
  assert.equal(ev[0]?.entityId, String(prof.id));
  const after = ev[0]?.after as Record<string, unknown>;
  assert.equal(after.sourceSha256, prof.sourceSha256);
  assert.deepEqual(after.imputedFeatures, ['age_at_diagnosis']);
  assert.equal(JSON.stringify(after).includes('"values"'), false, 'no genomic values in the audit log');

  const got = await app.call('genomics.get', { caseId });
  assert.equal(got.profiles.length, 1);
  assert.deepEqual(got.profiles[0]?.input, prof.input);
  assert.equal((await app.call('cases.get', { id: caseId })).hasGenomics, true);
  const reads = (await app.call('audit.list', { action: 'read.genomics.get', limit: 10, offset: 0 })).events;
  assert.ok(reads.length >= 1);
  assert.equal(reads[0]?.patientPseudonym, 'GF-0001');
});

test('an invalid profile is refused as BAD_INPUT with the report in the details; nothing stored', async () => {
  const r = await app.raw('genomics.import', { caseId, fileName: 'p.csv', content: 'EGFR,unknown_col\n7,1\n', modelId: MODEL });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.code, 'BAD_INPUT');
  assert.match(r.error.message, /EGFR CNV \(EGFR\): 7 is outside the allowed range/);
  assert.match(r.error.message, /unknown column "unknown_col"/);
  const report = (r.error.details as { report: { errors: unknown[] } }).report;
  assert.equal(report.errors.length, 2);
  assert.equal((await app.call('genomics.get', { caseId })).profiles.length, 1);
});

test('viewers may read but not import', async () => {
  await app.login('vera', 'viewer');
  const r = await app.raw('genomics.import', { caseId, fileName: 'p.csv', content: 'EGFR\n1\n', modelId: MODEL }, 'vera');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'FORBIDDEN');
  const g = await app.raw('genomics.get', { caseId }, 'vera');
  assert.equal(g.ok, true);
});

test('an archived case takes no new genomic data', async () => {
  const p = await app.call('patients.create', { pseudonym: 'GF-0002', phi: {} });
  const c = await app.call('cases.create', { patientId: p.id, accession: 'S26-002' });
  await app.call('cases.setStatus', { id: c.id, status: 'archived', note: 'duplicate accession' });
  const r = await app.raw('genomics.import', { caseId: c.id, fileName: 'p.csv', content: 'EGFR\n1\n', modelId: MODEL });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'CONFLICT');
});

test('a tampered package: models.get shows why and serves no model card; import is refused (INTEGRITY)', async () => {
  fs.appendFileSync(path.join(app.dir, 'data', 'models', MODEL, 'MODEL_CARD.md'), '\nedited');
  const got = await app.call('models.get', { id: MODEL });
  assert.equal(got.summary.verification.ok, false);
  assert.match(got.summary.verification.reason ?? '', /MODEL_CARD\.md/);
  assert.equal(got.modelCard, null);
  const r = await app.raw('genomics.import', { caseId, fileName: 'p.csv', content: 'EGFR\n1\n', modelId: MODEL });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'INTEGRITY');
    assert.match(r.error.message, /MODEL_CARD\.md/);
  }
});
