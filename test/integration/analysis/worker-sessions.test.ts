/**
 * One set of ONNX sessions per analysis worker (issue 16, deliverable 4): three analyses in a row — two slides and
 * a genomics-only case, as in a batch or a day in the app — open the UMEML session once and the tile-encoder pool
 * once; the later analyses reuse them. Counted by the worker itself (worker-sessions.ts), asserted on counts only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE, writeTcgaRow } from './fixtures/analysis-package.ts';

const MODEL = 'umeml-test-sessions';
let app: TestApp;

before(async () => {
  process.env.GLIOFUSE_ENCODER_PATH = ENCODER_FILE;
  app = await startTestApp();
  buildAnalysisPackage(path.join(app.dir, 'data', 'models'), { id: MODEL, validatedModalities: ['pathology', 'genomics', 'clinical'] });
});
after(async () => {
  await app?.close();
});

async function caseWith(name: string, opts: { slide?: string; row?: string }): Promise<number> {
  const p = await app.call('patients.create', { pseudonym: `SESS-${name}` });
  const id = (await app.call('cases.create', { patientId: p.id, accession: name })).id;
  if (opts.slide) await app.call('slides.attach', { caseId: id, path: opts.slide });
  if (opts.row) {
    const csv = writeTcgaRow(path.join(app.dir, `${name}.csv`), opts.row);
    await app.call('genomics.import', { caseId: id, fileName: `${name}.csv`, content: fs.readFileSync(csv, 'utf8'), modelId: MODEL });
  }
  return id;
}

test('three analyses open the UMEML session and the encoder pool once, then reuse them', async () => {
  const a = await caseWith('A', { slide: sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-26-1442_roi_pyramid.tif'), row: 'TCGA-26-1442' });
  const b = await caseWith('B', { slide: sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-06-0174_roi_pyramid.tif') });
  const c = await caseWith('C', { row: 'TCGA-HT-7470' });
  const reused: unknown[] = [];
  for (const caseId of [a, b, c]) {
    const job = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId, modelId: MODEL })).id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const eps = job.result?.provenance.preprocessing.executionProviders as { model: { sessionReused: boolean } };
    reused.push(eps.model.sessionReused);
  }
  assert.deepEqual(reused, [false, true, true]);
  const counts = await app.s.analysis.worker.call('sessions', {});
  assert.deepEqual(counts, { umemlOpened: 1, umemlReused: 2, encoderPoolsStarted: 1, encoderPoolsReused: 1 });
});
