/**
 * Issue 4: "A test loads the packaged main-process services from the --dir output in plain Node (the parts that do
 * not need Electron) and runs one genomics-only analysis from there, proving the natives resolve from the packaged
 * layout." runCli runs dist/cli/main.js from the extracted package with a bare environment (no tsx, no repository
 * paths), so onnxruntime-node, sqlite3, the workers and the model package can only come from the package.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PACKAGING_SKIP_REASON, packagedApp, type PackagedApp } from './packaged-app.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { tempDir } from '../../helpers/temp-services.ts';

describe('genomics-only analysis from the packaged layout (plain Node)', { skip: PACKAGING_SKIP_REASON }, () => {
  let app: PackagedApp;
  before(async () => {
    app = await packagedApp();
  });

  test('onnxruntime-node loads from the package and runs a session on the CPU', () => {
    // The smallest real inference the package can do today: onnxruntime from the extracted package (its binding
    // from app.asar.unpacked) builds a one-node graph and runs it.
    const ort = path.join(app.extractedDir, 'node_modules', 'onnxruntime-node');
    assert.ok(fs.existsSync(path.join(ort, 'package.json')));
    const script = [
      `const ort = require(${JSON.stringify(ort)});`,
      // y = Relu(x), x and y float[3], opset 13, IR 7 — serialised with the onnx Python package
      // (helper.make_model + checker.check_model), inlined so the test needs no model file.
      "const hex = '08073a360a0c0a0178120179220452656c75120472656c755a0f0a0178120a0a08080112040a020803620f0a0179120a0a08080112040a02080342040a00100d';",
      "const bytes = Buffer.from(hex, 'hex');",
      '(async () => {',
      '  const s = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });',
      '  const out = await s.run({ x: new ort.Tensor("float32", Float32Array.from([-1, 0, 2]), [3]) });',
      '  process.stdout.write(JSON.stringify({ y: Array.from(out.y.data), version: ort.env.versions.node }));',
      '})().catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { y: number[]; version: string };
    assert.deepEqual(out.y, [0, 0, 2]);
    assert.match(out.version, /^1\.\d+\.\d+/);
  });

  test('runs one genomics-only analysis with the packaged CLI and the packaged reference model', () => {
    const work = tempDir('gliofuse-packaged-analysis-');
    const db = path.join(work, 'packaged.sqlite');
    const env = { GLIOFUSE_RESOURCES_DIR: app.resourcesDir, GLIOFUSE_DATA_DIR: path.join(work, 'data') };
    const admin = app.runCli(['--db', db, 'user', 'add', '--name', 'admin', '--role', 'admin', '--password-stdin'], { input: 'correct horse battery staple\n', env });
    assert.equal(admin.status, 0, admin.stderr);
    const patho = app.runCli(['--db', db, '--as', 'admin', 'user', 'add', '--name', 'paula', '--role', 'pathologist', '--password-stdin'], { input: 'correct horse battery staple\n', env });
    assert.equal(patho.status, 0, patho.stderr);

    const models = app.runCli(['--db', db, '--json', 'models', 'list'], { env });
    assert.equal(models.status, 0, models.stderr);
    assert.match(models.stdout, /umeml-gbmlgg-genomic-ref/);

    const out = path.join(work, 'out');
    const r = app.runCli(['--db', db, '--as', 'paula', '--json', 'analyze', '--genomics', sharedFile('tcga', 'all_dataset.csv'), '--row-id', 'TCGA-06-0174', '--out', out], { env });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')) as {
      grade: { probs: { p: number }[] };
      provenance: { modelId: string; modelSha256: string; executionProvider: string; onnxruntimeVersion: string; usedModalities: string[] };
      ruo: string;
    };
    const sum = result.grade.probs.reduce((a, b) => a + b.p, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `grade probabilities sum to 1 (${sum})`);
    assert.equal(result.provenance.modelId, 'umeml-gbmlgg-genomic-ref');
    assert.match(result.provenance.executionProvider, /cpu/i);
    assert.match(result.provenance.onnxruntimeVersion, /^1\.\d+\.\d+/);
    assert.ok(!result.provenance.usedModalities.includes('pathology'));
    assert.match(result.ruo, /For Research Use Only/);
    // The model that ran is byte-for-byte the one the build manifest pins.
    const manifest = JSON.parse(fs.readFileSync(path.join(app.extractedDir, 'dist', 'build-manifest.json'), 'utf8')) as { models: { path: string; sha256: string }[] };
    const onnx = manifest.models.find((m) => m.path === 'umeml-gbmlgg-genomic-ref/umeml.onnx');
    assert.ok(onnx, 'the build manifest lists the packaged model');
    assert.equal(result.provenance.modelSha256, onnx.sha256);
    assert.ok(fs.statSync(path.join(out, 'report.pdf')).size > 10_000, 'the report PDF was written');
  });
});
