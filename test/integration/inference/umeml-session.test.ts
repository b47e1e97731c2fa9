import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { UmemlSession } from '../../../src/main/inference/umeml-session.ts';
import { verifyPackage, type VerifiedPackage } from '../../../src/main/inference/model-packages.ts';
import { currentProviderEnvironment } from '../../../src/main/inference/execution-providers.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';
import { buildTestPackage, rewriteManifest, TEST_FEATURE_DIM } from './fixtures/test-package.ts';
import { maxAbsDiffOverFixture, readParityFixture } from './fixtures/parity.ts';

let root: string;
let pkg: VerifiedPackage;
let fixturePath: string;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-session-'));
  const built = buildTestPackage(root);
  fixturePath = built.parityFixture;
  pkg = await verifyPackage(built.dir);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('opens on CPU here and records provider, notices, versions and threads', async () => {
  const s = await UmemlSession.open(pkg);
  try {
    const p = s.provenance;
    assert.equal(p.executionProvider, 'cpu');
    assert.equal(p.attempts.at(-1)?.provider, 'cpu');
    assert.match(p.notices.join(' '), /Running on CPU/);
    assert.equal(p.ortVersions.node, ort.env.versions.node);
    assert.equal(p.ortVersions.common, ort.env.versions.common);
    assert.equal(p.intraOpNumThreads, Math.max(1, Math.min(16, os.availableParallelism() - 1)));
    assert.equal(p.packageDigest, pkg.digest);
    assert.equal(p.modelId, 'umeml-test-tiny');
    assert.deepEqual(p.validatedModalities, ['genomics', 'clinical']);
    assert.equal(s.featureDim, TEST_FEATURE_DIM);
    assert.equal(s.genomicDim, 81);
  } finally {
    await s.close();
  }
});

test('forceCpu tries only the CPU provider and records why', async () => {
  const s = await UmemlSession.open(pkg, { forceCpu: true, intraOpThreads: 1 });
  assert.deepEqual(s.provenance.attempts.map((a) => a.provider), ['cpu']);
  assert.match(s.provenance.notices[0] ?? '', /forced/);
  assert.equal(s.provenance.intraOpNumThreads, 1);
  await s.close();
});

test('a GPU provider that cannot start falls back to CPU with a recorded notice (real attempts, no GPU here)', async () => {
  const real = currentProviderEnvironment(ort.listSupportedBackends().map((b) => b.name));
  // Pretend the CUDA provider library is installed and DirectML is listed: both are really tried and fail here.
  const s = await UmemlSession.open(pkg, { environment: { ...real, platform: 'win32', supportedBackends: [...real.supportedBackends, 'cuda', 'dml'], fileExists: () => true } });
  try {
    assert.deepEqual(s.provenance.attempts.map((a) => [a.provider, a.ok]), [['cuda', false], ['dml', false], ['cpu', true]]);
    assert.equal(s.provenance.executionProvider, 'cpu');
    assert.match(s.provenance.notices.join(' '), /CUDA could not start .*falling back/);
    assert.match(s.provenance.notices.join(' '), /DML could not start/);
    assert.match(s.provenance.notices.join(' '), /Running on CPU/);
  } finally {
    await s.close();
  }
});

test('parity with PyTorch on the tiny model, including N = 0 and padded patches (≤ 1e-4)', async () => {
  const s = await UmemlSession.open(pkg, { forceCpu: true });
  try {
    const fx = readParityFixture(fixturePath);
    const { maxDiff, perCase } = await maxAbsDiffOverFixture(s, fx);
    assert.ok(perCase.some((c) => c.n === 0), 'fixture has an N = 0 case');
    assert.ok(maxDiff <= fx.tolerance, `max |onnx - torch| = ${maxDiff}`);
  } finally {
    await s.close();
  }
});

test('run(): typed outputs in label order, N = 0 genomics-only, absent genomics, attention over real patches only', async () => {
  const s = await UmemlSession.open(pkg, { forceCpu: true });
  try {
    const G = s.genomicDim;
    const gen = Float32Array.from({ length: G }, (_, i) => Math.sin(i));
    const mask = new Float32Array(G).fill(1);
    const a = await s.run({ patchFeatures: new Float32Array(0), numPatches: 0, genomics: gen, genomicsMask: mask });
    assert.equal(a.gradeProbs.length, 3);
    assert.equal(a.classProbs.length, 6);
    assert.equal(a.survival.length, 4);
    assert.ok(Math.abs(a.gradeProbs.reduce((x, y) => x + y, 0) - 1) < 1e-5);
    assert.ok(Math.abs(a.risk + a.survival.reduce((x, y) => x + y, 0)) < 1e-5, 'risk = -sum(S)');
    assert.deepEqual(a.modalityPresent, { pathology: false, genomics: true });
    assert.equal(a.patchAttention.length, 0);
    assert.equal(a.modalityContributions.pathology, 0);

    const N = 6;
    const feats = Float32Array.from({ length: N * TEST_FEATURE_DIM }, (_, i) => Math.cos(i / 7));
    const b = await s.run({ patchFeatures: feats, numPatches: N, patchMask: Uint8Array.from([1, 1, 1, 1, 0, 0]), genomics: null, genomicsMask: null });
    assert.deepEqual(b.modalityPresent, { pathology: true, genomics: false });
    assert.equal(b.prototypes, 5);
    assert.equal(b.patchAssignment.length, N * 5);
    assert.equal(b.patchAttention[4], 0);
    assert.equal(b.patchAttention[5], 0);
    assert.ok(Math.abs(Array.from(b.patchAttention).reduce((x, y) => x + y, 0) - 1) < 1e-5);
    assert.equal(b.modalityContributions.genomics, 0);
  } finally {
    await s.close();
  }
});

test('run(): wrong shapes and impossible modality flags are BAD_INPUT', async () => {
  const s = await UmemlSession.open(pkg, { forceCpu: true });
  try {
    const bad = (p: Promise<unknown>, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof GliofuseError && e.code === 'BAD_INPUT' && re.test(e.message));
    await bad(s.run({ patchFeatures: new Float32Array(5), numPatches: 1, genomics: null, genomicsMask: null }), /expected 1 × 16/);
    await bad(s.run({ patchFeatures: new Float32Array(0), numPatches: 0, genomics: null, genomicsMask: null }), /at least one modality/);
    await bad(s.run({ patchFeatures: new Float32Array(0), numPatches: 0, genomics: new Float32Array(3), genomicsMask: new Float32Array(3) }), /model expects 81/);
  } finally {
    await s.close();
  }
});

test('a manifest that disagrees with the graph (genomic dimension) is refused at open', async () => {
  const dir = path.join(root, 'mismatch', 'umeml-test-tiny');
  fs.cpSync(pkg.dir, dir, { recursive: true });
  rewriteManifest(dir, (m) => {
    m.genomicSchema.features.pop();
    m.onnx.genomicDim = m.genomicSchema.features.length;
  });
  const p2 = await verifyPackage(dir);
  await assert.rejects(UmemlSession.open(p2, { forceCpu: true }), (e: unknown) => e instanceof GliofuseError && e.code === 'INTEGRITY' && /expects 81 genomic inputs/.test(e.message));
});
