import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { checkInstallation, describeProblems, readBuildManifest, verifyModels } from '../../../src/main/integrity/build-manifest.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';
// The writer the build uses; the checker must accept exactly what it writes.
import { writeBuildManifest } from '../../../scripts/build-manifest.mjs';

let root: string;
let models: string;
let manifestPath: string;

function put(rel: string, data: string | Buffer) {
  const f = path.join(models, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, data);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-manifest-'));
  models = path.join(root, 'models');
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'gliofuse', productName: 'Gliofuse', version: '9.8.7' }));
  put('pkg-a/manifest.json', '{"id":"pkg-a"}');
  put('pkg-a/umeml.onnx', crypto.randomBytes(300_000));
  put('pkg-a/oof_predictions/survival_fold1.csv', 'patient_id,fold,risk\nA,1,0.5\n');
  put('training/train.py', 'print(1)');
  put('pkg-a/__pycache__/x.pyc', 'junk');
  manifestPath = path.join(root, 'dist', 'build-manifest.json');
  process.env.GLIOFUSE_COMMIT = 'abc123def4567890';
  writeBuildManifest({ root, outFile: manifestPath });
});
afterEach(() => {
  delete process.env.GLIOFUSE_COMMIT;
  fs.rmSync(root, { recursive: true, force: true });
});

test('the written manifest lists shipped model files only, with version and commit', () => {
  const m = readBuildManifest(manifestPath);
  assert.equal(m.version, '9.8.7');
  assert.equal(m.commit, 'abc123def4567890');
  assert.deepEqual(m.models.map((x) => x.path), ['pkg-a/manifest.json', 'pkg-a/oof_predictions/survival_fold1.csv', 'pkg-a/umeml.onnx']);
  const onnx = m.models.find((x) => x.path === 'pkg-a/umeml.onnx')!;
  assert.equal(onnx.sha256, crypto.createHash('sha256').update(fs.readFileSync(path.join(models, 'pkg-a/umeml.onnx'))).digest('hex'));
  assert.equal(onnx.bytes, 300_000);
});

test('an untouched installation passes', async () => {
  const r = await checkInstallation({ manifestPath, modelsRoot: models });
  assert.equal(r.ok, true, describeProblems(r));
  assert.equal(r.checkedFiles, 3);
  assert.ok(r.checkedBytes > 300_000);
});

test('edited, truncated, removed and added model files are all reported', async () => {
  const onnx = path.join(models, 'pkg-a/umeml.onnx');
  const bytes = fs.readFileSync(onnx);
  bytes[1234] = bytes[1234]! ^ 0xff; // same size, different content
  fs.writeFileSync(onnx, bytes);
  fs.truncateSync(path.join(models, 'pkg-a/manifest.json'), 3);
  fs.rmSync(path.join(models, 'pkg-a/oof_predictions/survival_fold1.csv'));
  put('pkg-b/umeml.onnx', 'an unlisted model');
  const r = await verifyModels(readBuildManifest(manifestPath), models);
  assert.equal(r.ok, false);
  const kinds = Object.fromEntries(r.problems.map((p) => [p.path, p.kind]));
  assert.deepEqual(kinds, {
    'pkg-a/umeml.onnx': 'sha256',
    'pkg-a/manifest.json': 'size',
    'pkg-a/oof_predictions/survival_fold1.csv': 'missing',
    'pkg-b/umeml.onnx': 'unexpected',
  });
  const text = describeProblems(r);
  assert.match(text, /changed content: pkg-a\/umeml\.onnx/);
  assert.match(text, /not part of this build: pkg-b\/umeml\.onnx/);
});

test('a missing, unreadable or malformed manifest is an INTEGRITY error', async () => {
  await assert.rejects(checkInstallation({ manifestPath: path.join(root, 'nope.json'), modelsRoot: models }), (e: unknown) => e instanceof GliofuseError && e.code === 'INTEGRITY' && /missing/.test(e.message));
  fs.writeFileSync(manifestPath, '{not json');
  assert.throws(() => readBuildManifest(manifestPath), (e: unknown) => e instanceof GliofuseError && e.code === 'INTEGRITY');
  fs.writeFileSync(manifestPath, JSON.stringify({ schemaVersion: 1, models: [{ path: '../etc/passwd', sha256: 'x', bytes: 1 }] }));
  assert.throws(() => readBuildManifest(manifestPath), (e: unknown) => e instanceof GliofuseError && e.code === 'INTEGRITY' && /malformed/.test(e.message));
});

test('an empty models folder matches a manifest with no models', async () => {
  fs.rmSync(models, { recursive: true, force: true });
  writeBuildManifest({ root, outFile: manifestPath });
  const r = await checkInstallation({ manifestPath, modelsRoot: models });
  assert.equal(r.ok, true);
  assert.equal(r.checkedFiles, 0);
});
