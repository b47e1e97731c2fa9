/**
 * The GPU code path, run in CI: onnxruntime-node's bundled WebGPU provider (Dawn → Vulkan) on SwiftShader, the CPU
 * implementation of Vulkan that Debian's chromium package ships. Same provider, shaders and data transfers as on a
 * real GPU; only the device is emulated. The sessions are asked for WebGPU explicitly (a software adapter is never
 * planned on its own: execution-providers.ts).
 *
 * Checked: UMEML WebGPU vs CPU on every case of the shipped package's parity fixture (read as it is: it is
 * regenerated with the package) and on the analysis test package (0, 1, 8 patches and padding), genomics-only
 * included (routed to the CPU session: WebGPU cannot dispatch the empty patch dimension); the float tile encoder
 * on WebGPU vs the same file on the CPU on real TCGA tiles, and against the int8 encoder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { UmemlSession } from '../../../src/main/inference/umeml-session.ts';
import { verifyPackage } from '../../../src/main/inference/model-packages.ts';
import { TileEncoderSession } from '../../../src/main/analysis/tile-encoder.ts';
import { ensureFloatEncoder } from '../../../src/main/analysis/encoder-variants.ts';
import { buildAnalysisPackage, ENCODER_FILE, ENCODER_SHA256, REAL_TILE_ENCODER } from '../analysis/fixtures/analysis-package.ts';
import { readParityFixture } from './fixtures/parity.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
// Before the first WebGPU session of this process (imports open none): Dawn's Vulkan loader reads it once.
process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const skip = fs.existsSync(SWIFTSHADER_ICD) ? false : `SwiftShader's Vulkan ICD ${SWIFTSHADER_ICD} is absent (Debian package chromium): the WebGPU tests cannot run here`;
if (skip) console.log(`# SKIP webgpu.test.ts: ${skip}`);

type Out = Record<string, { dims: readonly number[]; data: unknown }>;
function maxDiff(a: Out, b: Out): number {
  let m = 0;
  for (const [name, t] of Object.entries(a)) {
    const u = b[name];
    assert.ok(u, `output ${name} missing`);
    assert.deepEqual([...t.dims], [...u.dims], `dims of ${name}`);
    const x = t.data as Float32Array;
    const y = u.data as Float32Array;
    for (let k = 0; k < x.length; k++) {
      const d = Math.abs((x[k] as number) - (y[k] as number));
      m = Number.isNaN(d) ? Infinity : Math.max(m, d);
    }
  }
  return m;
}

let root: string;
before(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-webgpu-')); });
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('UMEML reference package: WebGPU equals the CPU and the fixture on every parity case, genomics-only included', { skip }, async () => {
  const pkg = await verifyPackage(path.join(REPO_ROOT, 'models', 'umeml-gbmlgg-genomic-ref'));
  const fx = readParityFixture(path.join(pkg.dir, 'parity_fixture.json'));
  const gpu = await UmemlSession.open(pkg, { requested: 'webgpu', intraOpThreads: 1 });
  const cpu = await UmemlSession.open(pkg, { forceCpu: true, intraOpThreads: 1 });
  try {
    const p = gpu.provenance;
    assert.equal(p.executionProvider, 'webgpu', JSON.stringify(p.attempts));
    assert.equal(p.fellBack, false);
    assert.match(p.adapter?.adapter?.name ?? '', /SwiftShader/);
    assert.equal(p.adapter?.adapter?.backend, 'vulkan');
    assert.equal(p.zeroPatchProvider, 'cpu');
    assert.match(p.notices.join(' '), /genomics-only\) run on the CPU session/);
    const sizes = new Set<number>();
    for (const c of fx.cases) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(c.inputs)) feeds[name] = new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
      const n = c.inputs.patch_features?.dims[1] ?? -1;
      sizes.add(n);
      assert.equal(gpu.providerFor(n), n === 0 ? 'cpu' : 'webgpu');
      const g = await gpu.runRaw(feeds);
      const r = await cpu.runRaw(feeds);
      const d = maxDiff(g, r);
      assert.ok(d <= 1e-5, `${c.name}: WebGPU vs CPU max |Δ| = ${d}`);
      const expected: Out = Object.fromEntries(Object.entries(c.outputs).map(([k, t]) => [k, { dims: t.dims, data: Float32Array.from(t.data) }]));
      const dt = maxDiff(Object.fromEntries(Object.keys(expected).map((k) => [k, g[k] as Out[string]])), expected);
      assert.ok(dt <= fx.tolerance, `${c.name}: WebGPU vs fixture max |Δ| = ${dt}`);
    }
    assert.ok(sizes.has(0), 'the fixture has a genomics-only (0-patch) case');
    assert.ok([...sizes].some((n) => n > 0), 'the fixture has a case with patches');
  } finally {
    await gpu.close();
    await cpu.close();
  }
});

test('UMEML analysis test package: WebGPU equals the CPU for 0, 1 and 8 patches and for masked padding', { skip }, async () => {
  const built = buildAnalysisPackage(root, { id: 'umeml-webgpu-test', validatedModalities: ['pathology', 'genomics'] });
  const pkg = await verifyPackage(built.dir);
  const gpu = await UmemlSession.open(pkg, { requested: 'webgpu', intraOpThreads: 1 });
  const cpu = await UmemlSession.open(pkg, { forceCpu: true, intraOpThreads: 1 });
  try {
    assert.equal(gpu.provenance.executionProvider, 'webgpu');
    const D = gpu.featureDim;
    const G = gpu.genomicDim;
    const genomics = Float32Array.from({ length: G }, (_, i) => Math.sin(i * 0.7));
    const genomicsMask = Float32Array.from({ length: G }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const feats = (n: number) => Float32Array.from({ length: n * D }, (_, i) => Math.max(0, Math.cos(i * 0.013)) * 2);
    const cases = [
      { name: 'genomics-only N=0', numPatches: 0, patchFeatures: feats(0), genomics, genomicsMask },
      { name: 'pathology + genomics N=1', numPatches: 1, patchFeatures: feats(1), genomics, genomicsMask },
      { name: 'pathology + genomics N=8', numPatches: 8, patchFeatures: feats(8), genomics, genomicsMask },
      { name: 'pathology-only N=8', numPatches: 8, patchFeatures: feats(8), genomics: null, genomicsMask: null },
      { name: 'N=5 + 3 masked padding rows', numPatches: 8, patchFeatures: feats(8), patchMask: Float32Array.from([1, 1, 1, 1, 1, 0, 0, 0]), genomics, genomicsMask },
    ];
    for (const c of cases) {
      const g = await gpu.run(c);
      const r = await cpu.run(c);
      const vals = (o: typeof g) => [...o.gradeProbs, ...o.classProbs, ...o.hazards, ...o.survival, o.risk, ...o.patchAttention, ...o.patchAssignment, o.modalityContributions.pathology, o.modalityContributions.genomics];
      const a = vals(g);
      const b = vals(r);
      assert.equal(a.length, b.length, c.name);
      const d = Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))));
      assert.ok(d <= 1e-5, `${c.name}: WebGPU vs CPU max |Δ| = ${d}`);
    }
  } finally {
    await gpu.close();
    await cpu.close();
  }
});

/** 224-px tiles of a real TCGA glioma ROI, normalised as the pipeline does (NCHW float32). */
async function realTiles(n = 8): Promise<Float32Array> {
  const dir = sharedFile('wsi', 'tcga-glioma-roi');
  const png = fs.readdirSync(dir).filter((f) => f.startsWith('TCGA-06-0174') && f.endsWith('.png'))[0] as string;
  const { data, info } = await sharp(path.join(dir, png)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { mean, std } = REAL_TILE_ENCODER.normalisation;
  const S = 224;
  const x = new Float32Array(n * 3 * S * S);
  for (let t = 0; t < n; t++) {
    const ox = (t % 4) * S;
    const oy = Math.floor(t / 4) * S;
    for (let c = 0; c < 3; c++) for (let yy = 0; yy < S; yy++) for (let xx = 0; xx < S; xx++) {
      const v = (data[((oy + yy) * info.width + ox + xx) * info.channels + c] as number) / 255;
      x[((t * 3 + c) * S + yy) * S + xx] = (v - (mean[c] as number)) / (std[c] as number);
    }
  }
  return x;
}

function cosines(a: Float32Array, b: Float32Array, D: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < a.length / D; t++) {
    let dot = 0, na = 0, nb = 0;
    for (let k = t * D; k < (t + 1) * D; k++) { dot += (a[k] as number) * (b[k] as number); na += (a[k] as number) ** 2; nb += (b[k] as number) ** 2; }
    out.push(dot / Math.sqrt(na * nb));
  }
  return out;
}

test('float tile encoder: derived from the int8 file, runs on WebGPU with the CPU\'s features on real tiles', { skip }, async () => {
  const { file } = await ensureFloatEncoder(REAL_TILE_ENCODER.id, { path: ENCODER_FILE, sha256: ENCODER_SHA256 }, path.join(root, 'encoders'));
  assert.ok(file);
  const spec = { id: REAL_TILE_ENCODER.id, path: ENCODER_FILE, sha256: ENCODER_SHA256, inputName: 'input', outputName: 'features', inputSize: 224, featureDim: 1280, float: file };
  const gpu = await TileEncoderSession.open(spec, { threads: 1, requested: 'webgpu' });
  const cpuFloat = await TileEncoderSession.open({ ...spec, path: file.path, sha256: file.sha256, float: null }, { threads: 1, forceCpu: true });
  const cpuInt8 = await TileEncoderSession.open(spec, { threads: 1, forceCpu: true });
  try {
    assert.equal(gpu.info.provider, 'webgpu');
    assert.equal(gpu.info.variant, 'float32');
    assert.equal(gpu.info.sha256, file.sha256);
    assert.match(gpu.info.adapter?.adapter?.name ?? '', /SwiftShader/);
    assert.equal(cpuInt8.info.variant, 'int8');
    const x = await realTiles(4);
    const g = await gpu.encode(x.slice(), 4);
    const f = await cpuFloat.encode(x.slice(), 4);
    const q = await cpuInt8.encode(x.slice(), 4);
    const d = g.reduce((m, v, k) => Math.max(m, Math.abs(v - (f[k] as number))), 0);
    assert.ok(d <= 1e-3, `float encoder WebGPU vs CPU max |Δ| = ${d}`);
    assert.ok(Math.min(...cosines(g, f, 1280)) >= 0.99999, 'WebGPU vs CPU cosine');
    // Float vs int8: the int8 model's rounding only (docs/inference.md quotes the measured figures).
    const c = cosines(f, q, 1280);
    assert.ok(Math.min(...c) >= 0.95, `float vs int8 cosine ${c.map((v) => v.toFixed(4)).join(', ')}`);
  } finally {
    await gpu.close();
    await cpuFloat.close();
    await cpuInt8.close();
  }
});
