/**
 * A WebGPU request on a machine where Dawn finds no adapter (here: the Vulkan loader pointed at an ICD file that
 * does not exist) falls back to the CPU for the model and the tile encoder, and says so — no crash, a notice and
 * the onnxruntime error in the provenance. Its own file, so its own process: Dawn reads the Vulkan set-up once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { UmemlSession } from '../../../src/main/inference/umeml-session.ts';
import { verifyPackage } from '../../../src/main/inference/model-packages.ts';
import { TileEncoderSession } from '../../../src/main/analysis/tile-encoder.ts';
import { REPO_ROOT } from '../../helpers/shared-data.ts';
import { ENCODER_FILE, ENCODER_SHA256 } from '../analysis/fixtures/analysis-package.ts';

// Before the first WebGPU session of this process (imports open none).
process.env.VK_ICD_FILENAMES = '/nonexistent/gliofuse-no-such-icd.json';

test('no WebGPU adapter: the model and the encoder run on the CPU with a fallback notice', async () => {
  const pkg = await verifyPackage(path.join(REPO_ROOT, 'models', 'umeml-gbmlgg-genomic-ref'));
  const s = await UmemlSession.open(pkg, { requested: 'webgpu', intraOpThreads: 1 });
  try {
    const p = s.provenance;
    assert.deepEqual(p.attempts.map((a) => [a.provider, a.ok]), [['webgpu', false], ['cpu', true]]);
    assert.equal(p.executionProvider, 'cpu');
    assert.equal(p.fellBack, true);
    assert.equal(p.adapter, null);
    assert.match(p.attempts[0]?.error ?? '', /adapter/i);
    assert.match(p.notices.join(' '), /WEBGPU could not start \(.*adapter.*\); falling back/i);
    const out = await s.run({ patchFeatures: new Float32Array(0), numPatches: 0, genomics: new Float32Array(s.genomicDim), genomicsMask: new Float32Array(s.genomicDim).fill(1) });
    assert.equal(out.classProbs.length, pkg.manifest.labels.class.length);
  } finally {
    await s.close();
  }
  const spec = { id: 'mobilenetv2-12-int8-features', path: ENCODER_FILE, sha256: ENCODER_SHA256, inputName: 'input', outputName: 'features', inputSize: 224, featureDim: 1280 };
  const e = await TileEncoderSession.open(spec, { threads: 1, requested: 'webgpu' });
  try {
    assert.equal(e.info.provider, 'cpu');
    assert.equal(e.info.fellBack, true);
    assert.equal(e.info.variant, 'int8');
    assert.match(e.info.notices.join(' '), /WEBGPU could not start for the tile encoder/);
  } finally {
    await e.close();
  }
});
