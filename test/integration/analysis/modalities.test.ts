/**
 * Modality handling with real inputs (TCGA-HT-7470 ROI pyramid + its genomic row): genomics-only, slide-only,
 * both with a package not validated for pathology (the reference package's situation), and nothing usable.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE, writeTcgaRow } from './fixtures/analysis-package.ts';

const GEN_ONLY = 'umeml-test-genomic'; // validated: genomics + clinical (like the reference package)
const ALL = 'umeml-test-all';
const ROI = sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-HT-7470_roi_pyramid.tif');

describe('modalities', () => {
  let app: TestApp;
  let patientId: number;
  let csv: string;
  let n = 0;

  async function newCase(opts: { slide: boolean; genomics: string | null }): Promise<number> {
    const c = await app.call('cases.create', { patientId, accession: `M-${++n}` });
    if (opts.slide) await app.call('slides.attach', { caseId: c.id, path: ROI });
    if (opts.genomics) await app.call('genomics.import', { caseId: c.id, fileName: 'row.csv', content: fs.readFileSync(csv, 'utf8'), modelId: opts.genomics });
    return c.id;
  }
  async function run(caseId: number, modelId: string) {
    const job = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId, modelId })).id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.ok(job.result);
    return job.result;
  }

  before(async () => {
    process.env.GLIOFUSE_ENCODER_PATH = ENCODER_FILE;
    app = await startTestApp();
    const models = path.join(app.dir, 'data', 'models');
    buildAnalysisPackage(models, { id: GEN_ONLY, validatedModalities: ['genomics', 'clinical'], seed: 1 });
    buildAnalysisPackage(models, { id: ALL, validatedModalities: ['pathology', 'genomics', 'clinical'], seed: 2 });
    patientId = (await app.call('patients.create', { pseudonym: 'TCGA-HT-7470' })).id;
    csv = writeTcgaRow(path.join(app.dir, 'row.csv'), 'TCGA-HT-7470');
  });
  after(async () => {
    await app?.close();
  });

  test('slide + genomics with pathology not validated: no slide work (issue 13), not used, not evidence, warned', async () => {
    const r = await run(await newCase({ slide: true, genomics: GEN_ONLY }), GEN_ONLY);
    assert.equal(r.explanations.pathologyIsEvidence, false);
    assert.equal(r.explanations.heatmap, null);
    assert.deepEqual(r.explanations.topPatches, []);
    assert.deepEqual(r.provenance.usedModalities, ['genomics']);
    assert.equal(r.modalityContributions.pathology, 0);
    assert.ok(r.warnings.some((w) => w.code === 'unvalidated_modality' && /pathology/.test(w.message)));
    assert.equal(r.provenance.preprocessing.featureCache, null, 'nothing encoded');
    assert.equal(r.provenance.preprocessing.slideQc, null, 'no slide QC unless asked for');
    assert.equal(r.provenance.slide, null, 'the slide was not read');
    assert.ok(r.explanations.genomicAttributions.some((a) => !a.imputed && a.attribution !== 0));
  });

  test('genomics only works; with a pathology-capable package the missing slide is noted', async () => {
    const c = await newCase({ slide: false, genomics: ALL });
    const r = await run(c, ALL);
    assert.deepEqual(r.provenance.usedModalities, ['genomics']);
    assert.equal(r.provenance.slide, null);
    assert.equal(r.provenance.tileEncoder, null);
    assert.ok(r.warnings.some((w) => w.code === 'modality_missing' && /slide/.test(w.message)));
    assert.ok(Math.abs(r.modalityContributions.genomics - 1) < 1e-5);
    const rg = await run(c, GEN_ONLY); // its profile was validated for ALL: re-validated for this package by feature id
    assert.ok(!rg.warnings.some((w) => w.code === 'modality_missing' && /slide/.test(w.message)));
  });

  test('slide only works with a pathology-validated package (evidence, no genomic attributions)', async () => {
    const r = await run(await newCase({ slide: true, genomics: null }), ALL);
    assert.deepEqual(r.provenance.usedModalities, ['pathology']);
    assert.equal(r.explanations.pathologyIsEvidence, true);
    assert.ok(r.explanations.heatmap);
    assert.deepEqual(r.explanations.genomicAttributions, []);
    assert.ok(r.warnings.some((w) => w.code === 'modality_missing' && /genomic/.test(w.message)));
  });

  test('slide only with a package not validated for pathology is refused before anything is queued', async () => {
    const c = await newCase({ slide: true, genomics: null });
    const res = await app.raw('analysis.start', { caseId: c, modelId: GEN_ONLY });
    assert.equal(res.ok, false);
    if (!res.ok) {
      assert.equal(res.error.code, 'BAD_INPUT');
      assert.match(res.error.message, /Nothing to analyse/);
    }
    assert.equal((await app.call('analysis.list', { caseId: c })).analyses.length, 0);
    assert.equal((await app.call('cases.get', { id: c })).status, 'new');
  });

  test('viewers may read analyses but not start them', async () => {
    await app.login('vera', 'viewer');
    const c = await newCase({ slide: false, genomics: ALL });
    const denied = await app.raw('analysis.start', { caseId: c, modelId: ALL }, 'vera');
    assert.equal(denied.ok, false);
    if (!denied.ok) assert.equal(denied.error.code, 'FORBIDDEN');
    const list = await app.call('analysis.list', { caseId: c }, 'vera');
    assert.equal(list.analyses.length, 0);
  });
});
