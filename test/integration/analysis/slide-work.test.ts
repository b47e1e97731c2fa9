/**
 * Issue 13.2 / 13.4 with real inputs: no needless slide work (a package not validated for pathology leaves the
 * slide alone unless slide QC is asked for; QC never encodes), and a missing tile encoder or a slide without µm/px
 * never blocks a genomics prediction — the slide part is skipped with a warning. A µm/px entered by a user is
 * used and shown as entered by that user, apart from the file's value.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE, writeTcgaRow } from './fixtures/analysis-package.ts';
import type { AnalysisResult } from '../../../src/shared/analysis-result.ts';

const GEN_ONLY = 'umeml-test-genomic'; // validated: genomics + clinical (like the reference package)
const ALL = 'umeml-test-all';
const ROI = sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-26-1442_roi_pyramid.tif');
const NO_MPP = sharedFile('wsi', 'tcga-cr-7395-01a-01-ts1.svs'); // JPEG 2000, records no µm/px or objective

describe('slide work (issue 13)', () => {
  let app: TestApp;
  let patientId: number;
  let csv: string;
  let n = 0;
  const savedEncoder = process.env.GLIOFUSE_ENCODER_PATH;

  async function newCase(slide: string | null, genomics: string | null): Promise<{ caseId: number; slideId: number | null }> {
    const c = await app.call('cases.create', { patientId, accession: `SW-${++n}` });
    const s = slide ? await app.call('slides.attach', { caseId: c.id, path: slide }) : null;
    if (genomics) await app.call('genomics.import', { caseId: c.id, fileName: 'row.csv', content: fs.readFileSync(csv, 'utf8'), modelId: genomics });
    return { caseId: c.id, slideId: s?.id ?? null };
  }
  async function run(caseId: number, modelId: string, extra: Record<string, unknown> = {}): Promise<{ r: AnalysisResult; stages: string[] }> {
    const stages: string[] = [];
    const on = (e: { stage: string | null }) => { if (e.stage) stages.push(e.stage); };
    app.s.analysis.events.on('progress', on);
    try {
      const job = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId, modelId, ...extra })).id);
      assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
      assert.ok(job.result);
      return { r: job.result, stages };
    } finally {
      app.s.analysis.events.off('progress', on);
    }
  }

  before(async () => {
    process.env.GLIOFUSE_ENCODER_PATH = ENCODER_FILE;
    app = await startTestApp();
    const models = path.join(app.dir, 'data', 'models');
    buildAnalysisPackage(models, { id: GEN_ONLY, validatedModalities: ['genomics', 'clinical'], seed: 1 });
    buildAnalysisPackage(models, { id: ALL, validatedModalities: ['pathology', 'genomics', 'clinical'], seed: 2 });
    patientId = (await app.call('patients.create', { pseudonym: 'TCGA-26-1442' })).id;
    csv = writeTcgaRow(path.join(app.dir, 'row.csv'), 'TCGA-26-1442');
  });
  after(async () => {
    if (savedEncoder === undefined) delete process.env.GLIOFUSE_ENCODER_PATH;
    else process.env.GLIOFUSE_ENCODER_PATH = savedEncoder;
    await app?.close();
  });

  test('not validated for pathology, slide QC asked for: tissue, tile grid and flags, nothing encoded', async () => {
    const { caseId } = await newCase(ROI, GEN_ONLY);
    const { r, stages } = await run(caseId, GEN_ONLY, { slideQc: true });
    assert.ok(!stages.includes('encoding'), `QC never encodes (stages seen: ${stages.join(',')})`);
    assert.deepEqual(r.provenance.usedModalities, ['genomics']);
    assert.equal(r.explanations.pathologyIsEvidence, false);
    assert.equal(r.provenance.preprocessing.featureCache, null);
    assert.equal(r.provenance.tileEncoder, null);
    const qc = r.provenance.preprocessing.slideQc as { tissueFraction: number; thresholdRule: string; tiles: number; tileSize: number; mppSource: string; tissueParams: { method: string } };
    assert.ok(qc.tissueFraction >= 0.85, `all-tissue region: ${qc.tissueFraction}`);
    assert.equal(qc.thresholdRule, 'not-bimodal');
    assert.equal(qc.tileSize, 224);
    assert.ok(qc.tiles >= 16, `${qc.tiles} tiles`);
    assert.equal(qc.tissueParams.method, 'otsu', 'parameters stored with the result');
    assert.deepEqual(r.provenance.preprocessing.slideMpp, { value: 0.5, source: qc.mppSource });
    assert.equal(r.provenance.slide?.hashKind, 'sha256', 'the slide checked is identified');
    assert.ok(r.warnings.some((w) => w.code === 'unvalidated_modality' && /Slide QC .* was run on request/.test(w.message)));
  });

  test('tile encoder not installed: a pathology-capable genomics prediction goes ahead, slide skipped with a warning', async () => {
    delete process.env.GLIOFUSE_ENCODER_PATH; // and the test data folder has no encoders/
    try {
      const { caseId } = await newCase(ROI, ALL);
      const { r, stages } = await run(caseId, ALL);
      assert.ok(!stages.includes('encoding') && !stages.includes('tissue'));
      assert.ok(r.provenance.usedModalities.includes('genomics'));
      assert.ok(!r.provenance.usedModalities.includes('pathology'));
      const w = r.warnings.find((x) => x.code === 'slide_skipped');
      assert.ok(w, JSON.stringify(r.warnings));
      assert.match(w.message, /tile encoder is not installed.*Models page.*genomic profile only/);
      // Slide only: nothing else to predict from, so the missing encoder is the answer, before anything is queued.
      const only = await newCase(ROI, null);
      const res = await app.raw('analysis.start', { caseId: only.caseId, modelId: ALL });
      assert.equal(res.ok ? 'ok' : res.error.code, 'NOT_FOUND');
      assert.equal((await app.call('analysis.list', { caseId: only.caseId })).analyses.length, 0);
    } finally {
      process.env.GLIOFUSE_ENCODER_PATH = ENCODER_FILE;
    }
  });

  test('slide without µm/px: skipped with a warning; once a user enters it, QC uses it and says who entered it', async () => {
    const { caseId, slideId } = await newCase(NO_MPP, ALL);
    const { r } = await run(caseId, ALL);
    const w = r.warnings.find((x) => x.code === 'slide_skipped');
    assert.ok(w);
    assert.match(w.message, /records neither its resolution \(µm\/px\).*enter the slide's µm\/px on the Slide tab/);
    assert.ok(slideId);
    await app.call('slides.setMpp', { id: slideId, mpp: 0.5 });
    const qc = await newCase(null, GEN_ONLY); // same slide, genomics-only package, QC requested
    await app.call('slides.attach', { caseId: qc.caseId, path: NO_MPP }).then((s) => app.call('slides.setMpp', { id: s.id, mpp: 0.5 }));
    const { r: r2 } = await run(qc.caseId, GEN_ONLY, { slideQc: true });
    assert.deepEqual(r2.provenance.preprocessing.slideMpp, { value: 0.5, source: 'user', enteredBy: 'Admin Test', enteredAt: (r2.provenance.preprocessing.slideMpp as { enteredAt: string }).enteredAt });
    const q = r2.provenance.preprocessing.slideQc as { slideMpp: number; mppSource: string; tiles: number };
    assert.deepEqual([q.slideMpp, q.mppSource], [0.5, 'user']);
    assert.ok(q.tiles > 0);
    assert.ok(!r2.warnings.some((x) => /supply the slide's µm\/px/i.test(x.message)), 'no advice to do what the user did');
    assert.ok(r2.warnings.some((x) => /0\.5 µm\/px entered by Admin Test/.test(x.message)));
  });
});
