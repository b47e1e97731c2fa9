/**
 * A whole analysis on the GPU code path (WebGPU on SwiftShader, as in webgpu.test.ts): the tile encoder runs its
 * float variant, the model runs on WebGPU, the provenance names both, the adapter and the variant, and the
 * features are cached apart from the int8 ones — a CPU analysis of the same slide encodes again and records int8.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../../helpers/temp-services.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE, writeTcgaRow } from './fixtures/analysis-package.ts';
import { FLOAT_ENCODER_SHA256 } from '../../../src/main/analysis/encoder-variants.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD; // inherited by the analysis worker process
const skip = fs.existsSync(SWIFTSHADER_ICD) ? false : `SwiftShader's Vulkan ICD ${SWIFTSHADER_ICD} is absent (Debian package chromium)`;
if (skip) console.log(`# SKIP webgpu-analysis.test.ts: ${skip}`);

const MODEL = 'umeml-test-webgpu-analysis';
let app: TestApp;

before(async () => {
  process.env.GLIOFUSE_ENCODER_PATH = ENCODER_FILE;
  app = await startTestApp();
  buildAnalysisPackage(path.join(app.dir, 'data', 'models'), { id: MODEL, validatedModalities: ['pathology', 'genomics', 'clinical'] });
});
after(async () => { await app?.close(); });

type Eps = { model: { provider: string; ranOn: string; adapter: { adapter: { name: string } | null } | null }; tileEncoder: { provider: string; adapter: { adapter: { name: string } | null } | null } | null };

test('slide + genomics on WebGPU: float encoder and model on the GPU path, recorded; a CPU run caches int8 features apart', { skip }, async () => {
  const p = await app.call('patients.create', { pseudonym: 'WEBGPU-1' });
  const caseId = (await app.call('cases.create', { patientId: p.id, accession: 'WG1' })).id;
  await app.call('slides.attach', { caseId, path: sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-26-1442_roi_pyramid.tif') });
  const csv = writeTcgaRow(path.join(app.dir, 'row.csv'), 'TCGA-26-1442');
  await app.call('genomics.import', { caseId, fileName: 'row.csv', content: fs.readFileSync(csv, 'utf8'), modelId: MODEL });

  const gpu = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId, modelId: MODEL, executionProvider: 'webgpu' })).id);
  assert.equal(gpu.state, 'succeeded', JSON.stringify(gpu.error));
  const pg = gpu.result?.provenance;
  assert.ok(pg);
  assert.equal(pg.executionProvider, 'webgpu');
  assert.equal(pg.tileEncoder?.variant, 'float32');
  assert.equal(pg.tileEncoder?.sha256, FLOAT_ENCODER_SHA256[pg.tileEncoder?.id ?? '']);
  const eg = pg.preprocessing.executionProviders as Eps;
  assert.equal(eg.model.ranOn, 'webgpu');
  assert.match(eg.model.adapter?.adapter?.name ?? '', /SwiftShader/);
  assert.equal(eg.tileEncoder?.provider, 'webgpu');
  assert.match(eg.tileEncoder?.adapter?.adapter?.name ?? '', /SwiftShader/);
  assert.equal(gpu.result?.warnings.some((w) => w.code === 'cpu_fallback'), false);
  assert.ok(gpu.result?.warnings.some((w) => /float version of the tile encoder/.test(w.message)), 'a float-encoder result says it may differ from a CPU run');

  const cpu = await app.s.analysis.waitFor((await app.call('analysis.start', { caseId, modelId: MODEL, executionProvider: 'cpu' })).id);
  assert.equal(cpu.state, 'succeeded', JSON.stringify(cpu.error));
  const pc = cpu.result?.provenance;
  assert.equal(pc?.executionProvider, 'cpu');
  assert.equal(pc?.tileEncoder?.variant, 'int8');
  assert.equal(cpu.result?.warnings.some((w) => /float version of the tile encoder/.test(w.message)), false);
  const fg = pg.preprocessing.featureCache as { key: string; hit: boolean };
  const fc = pc?.preprocessing.featureCache as { key: string; hit: boolean; encodedTiles: number };
  assert.notEqual(fc.key, fg.key, 'int8 and float features are cached under different keys');
  assert.equal(fc.hit, false);
  assert.ok(fc.encodedTiles > 0);
});
