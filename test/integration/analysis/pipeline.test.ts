/**
 * The whole pipeline through the router on real data: a real glioma ROI pyramid (TCGA-06-0174) and the same
 * patient's genomic row → tissue → tiles → real MobileNetV2 features → UMEML (tiny test weights) → explanations →
 * stored result. Then the second run of the same slide must skip encoding (feature cache, asserted by counters).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE, writeTcgaRow } from './fixtures/analysis-package.ts';
import { RUO_STATEMENT } from '../../../src/shared/ruo.ts';

const ROI = sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-06-0174_roi_pyramid.tif');

describe('analysis pipeline (slide + genomics, pathology validated)', () => {
  let app: TestApp;
  let caseId: number;
  const MODEL = 'umeml-test-allmod';

  before(async () => {
    process.env.GLIOFUSE_ENCODER_PATH = ENCODER_FILE;
    app = await startTestApp();
    buildAnalysisPackage(path.join(app.dir, 'data', 'models'), { id: MODEL, validatedModalities: ['pathology', 'genomics', 'clinical'] });
    const p = await app.call('patients.create', { pseudonym: 'TCGA-06-0174', phi: { birthYear: 1950 } });
    const c = await app.call('cases.create', { patientId: p.id, accession: 'ROI-1', collectedOn: '2006-05-01' });
    caseId = c.id;
    await app.call('slides.attach', { caseId, path: ROI });
    const csv = writeTcgaRow(path.join(app.dir, 'row.csv'));
    await app.call('genomics.import', { caseId, fileName: 'row.csv', content: fs.readFileSync(csv, 'utf8'), modelId: MODEL });
  });
  after(async () => {
    await app?.close();
  });

  test('runs every stage and stores an AnalysisResult with evidence, provenance and audit', async () => {
    const events: string[] = [];
    app.s.analysis.events.on('progress', (e) => events.push(`${e.state}:${e.stage ?? ''}`));
    const started = await app.call('analysis.start', { caseId, modelId: MODEL });
    assert.equal(started.state, 'queued');
    const job = await app.s.analysis.waitFor(started.id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const r = job.result;
    assert.ok(r);
    assert.equal(r.ruo, RUO_STATEMENT);
    assert.equal(r.explanations.pathologyIsEvidence, true);
    assert.deepEqual(r.provenance.usedModalities, ['pathology', 'genomics', 'clinical']);
    const hm = r.explanations.heatmap;
    assert.ok(hm);
    const cells = hm.values.filter((v) => v !== null) as number[];
    const tiles = Number((r.provenance.preprocessing.tiling as { tiles: number }).tiles);
    assert.ok(tiles > 0 && cells.length === tiles, `${cells.length} heatmap cells for ${tiles} tiles`);
    assert.ok(Math.abs(cells.reduce((s, v) => s + v, 0) - 1) < 1e-3, 'attention sums to 1 over the tiles');
    assert.equal(hm.spacingX, 224);
    assert.ok(r.explanations.topPatches.length > 0);
    const observed = r.explanations.genomicAttributions.filter((a) => !a.imputed);
    assert.ok(observed.length >= 70, `${observed.length} observed genomic fields`);
    assert.ok(observed.some((a) => a.attribution !== 0));
    assert.equal(r.provenance.slide?.hashKind, 'sha256');
    assert.match(r.provenance.onnxruntimeVersion, /^\d+\.\d+/);
    assert.equal(r.provenance.executionProvider, 'cpu');
    assert.equal(r.provenance.tileEncoder?.id, 'mobilenetv2-12-int8-features');
    const age = r.explanations.genomicAttributions.find((a) => a.featureId === 'age_at_diagnosis');
    assert.equal(age?.value, 56, 'age derived from birth year 1950 and collection in 2006');
    const kase = await app.call('cases.get', { id: caseId });
    assert.equal(kase.status, 'ready_for_review');
    // The same object through the router (response schema checked there); the read is audited with the pseudonym.
    const viaChannel = await app.call('analysis.get', { id: started.id });
    assert.deepEqual(viaChannel.result, r);
    assert.equal(viaChannel.patientPseudonym, 'TCGA-06-0174');
    const read = await app.s.db.get<{ patient_pseudonym: string }>("SELECT patient_pseudonym FROM audit_events WHERE action = 'read.analysis.get' ORDER BY seq DESC LIMIT 1");
    assert.equal(read?.patient_pseudonym, 'TCGA-06-0174');
    const audit = await app.s.db.all<{ action: string }>("SELECT action FROM audit_events WHERE action LIKE 'analysis.%' ORDER BY seq");
    assert.deepEqual(audit.map((a) => a.action), ['analysis.requested', 'analysis.succeeded']);
    assert.ok(events.includes('running:encoding') || events.some((e) => e.startsWith('running:')), events.join(' '));
    assert.equal(events.at(-1), 'succeeded:storing');
  });

  test('a second analysis of the same slide takes the features from the cache (no encoding)', async () => {
    const started = await app.call('analysis.start', { caseId, modelId: MODEL });
    const job = await app.s.analysis.waitFor(started.id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const fc = job.result?.provenance.preprocessing.featureCache as { hit: boolean; encodedTiles: number };
    assert.equal(fc.hit, true);
    assert.equal(fc.encodedTiles, 0);
    const row = await app.s.db.get<{ hits: number; tile_count: number }>('SELECT hits, tile_count FROM feature_cache');
    assert.equal(row?.hits, 1);
    assert.equal(job.progress?.cached, true);
  });
});
