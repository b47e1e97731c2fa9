/**
 * onnxruntime-node 1.30 writes a device id under ~/.cache/Microsoft/DeveloperTools and queues telemetry unless it is
 * opted out (src/main/inference/telemetry-off.ts). Each case runs a real session in a child process with its own
 * empty HOME and without the variables that make the library stay quiet on CI machines, then looks at that HOME.
 * The control case (plain onnxruntime-node, no Gliofuse module) shows the check can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sharedFile } from '../../helpers/shared-data.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ENCODER = sharedFile('models', 'mobilenetv2-12-int8-with-features.onnx');

function runInFreshHome(script: string): { home: string; files: string[] } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-ort-home-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: '' };
  // The library suppresses telemetry by itself on recognised CI systems; the check must not depend on that.
  for (const k of ['CI', 'TF_BUILD', 'GITHUB_ACTIONS', 'ORT_DISABLE_TELEMETRY', 'ORT_TELEMETRY_DISABLED']) delete env[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  assert.match(r.stdout, /session ok/);
  const files: string[] = [];
  const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); files.push(path.relative(home, p)); if (e.isDirectory()) walk(p); } };
  walk(home);
  return { home, files };
}

test('the tile encoder session leaves nothing in the user home (telemetry off)', () => {
  const script = `
    const { TileEncoderSession } = await import(${JSON.stringify(path.join(REPO, 'src/main/analysis/tile-encoder.ts'))});
    const s = await TileEncoderSession.open({ id: 'enc', path: ${JSON.stringify(ENCODER)}, sha256: '', inputName: 'input', outputName: 'features', inputSize: 224, featureDim: 1280 }, { threads: 1, forceCpu: true });
    const f = await s.encode(new Float32Array(3 * 224 * 224), 1);
    if (f.length !== 1280) throw new Error('unexpected feature length ' + f.length);
    await s.close();
    console.log('session ok', process.env.ORT_DISABLE_TELEMETRY);`;
  const { home, files } = runInFreshHome(script);
  try {
    assert.deepEqual(files, [], `onnxruntime wrote into the user's home: ${files.join(', ')}`);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('control: plain onnxruntime-node without the opt-out does write its device id (so the check above can fail)', () => {
  const script = `
    const ort = (await import('onnxruntime-node')).default;
    const s = await ort.InferenceSession.create(${JSON.stringify(ENCODER)});
    await s.release();
    console.log('session ok');`;
  const { home, files } = runInFreshHome(script);
  try {
    assert.ok(files.some((f) => f.includes(path.join('Microsoft', 'DeveloperTools'))), `expected the library's device-id folder, found: ${files.join(', ') || 'nothing'}`);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
