/**
 * npm run bench:gpu — the GPU providers against the CPU in one run, on this machine (docs/inference.md, "GPU"):
 * tiles/s of the tile encoder (int8 file on the CPU; the float derivation on each GPU provider and, for reference,
 * on the CPU) and cases/s of the shipped UMEML package (a case with 8 patches; genomics-only cases run on the CPU
 * session by design), plus the adapter description. Providers: CPU, then every GPU provider the plan or
 * GLIOFUSE_BENCH_EPS (comma-separated, e.g. "webgpu,cuda") names. `--swiftshader` points Vulkan at Debian
 * chromium's SwiftShader (a CPU: expect WebGPU slower than the CPU there; the figure that matters is on a GPU).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { UmemlSession } from '../src/main/inference/umeml-session.ts';
import { verifyPackage } from '../src/main/inference/model-packages.ts';
import { currentProviderEnvironment, planProviders, type EpName } from '../src/main/inference/execution-providers.ts';
import { TileEncoderSession } from '../src/main/analysis/tile-encoder.ts';
import { ensureFloatEncoder } from '../src/main/analysis/encoder-variants.ts';
import { resolveEncoder } from '../src/main/analysis/encoder-store.ts';

if (process.argv.includes('--swiftshader')) process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
const root = path.resolve(import.meta.dirname, '..');
const dataDir = process.env.GLIOFUSE_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-bench-gpu-'));
const pkg = await verifyPackage(path.join(root, 'models', 'umeml-gbmlgg-genomic-ref'));
const te = pkg.manifest.tileEncoder;
const enc = await resolveEncoder(te, { dataDir, packageDir: pkg.dir });
const float = (await ensureFloatEncoder(te.id, enc, path.join(dataDir, 'encoders'))).file;

const plan = planProviders(currentProviderEnvironment(ort.listSupportedBackends().map((b) => b.name)));
const extra = (process.env.GLIOFUSE_BENCH_EPS ?? '').split(',').filter(Boolean) as EpName[];
const gpus = [...new Set([...plan.candidates.filter((c) => c !== 'cpu'), ...extra])];
console.log(`onnxruntime ${ort.env.versions.common}; ${os.cpus().length} cores; plan: ${plan.candidates.join(' → ')}; notices: ${plan.notices.join(' ') || 'none'}`);

const BATCH = Number(process.env.GLIOFUSE_BENCH_BATCH) || 8, ROUNDS = Number(process.env.GLIOFUSE_BENCH_ROUNDS) || 3;
const tiles = new Float32Array(BATCH * 3 * te.inputSize * te.inputSize).map((_, i) => Math.sin(i * 0.001));
async function tilesPerSecond(ep: EpName, variant: 'int8' | 'float32') {
  const file = variant === 'int8' ? enc : float;
  if (!file) return null;
  const s = await TileEncoderSession.open({ id: te.id, path: file.path, sha256: file.sha256, inputName: te.inputName, outputName: te.outputName, inputSize: te.inputSize, featureDim: te.featureDim }, ep === 'cpu' ? { threads: os.availableParallelism(), requested: 'cpu' } : { threads: 1, requested: ep });
  try {
    if (s.info.provider !== ep) return { rate: NaN, note: s.info.notices.join(' '), adapter: null };
    await s.encode(tiles.slice(), BATCH); // warm-up (shader compilation, allocations)
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) await s.encode(tiles.slice(), BATCH);
    return { rate: (ROUNDS * BATCH) / ((performance.now() - t0) / 1000), note: '', adapter: s.info.adapter };
  } finally {
    await s.close();
  }
}
async function casesPerSecond(ep: EpName) {
  const s = await UmemlSession.open(pkg, ep === 'cpu' ? { requested: 'cpu' } : { requested: ep });
  try {
    if (s.provenance.executionProvider !== ep) return { rate: NaN, note: s.provenance.notices.join(' ') };
    const D = s.featureDim, G = s.genomicDim, N = 8;
    const input = { patchFeatures: new Float32Array(N * D).map((_, i) => Math.abs(Math.sin(i))), numPatches: N, genomics: new Float32Array(G), genomicsMask: new Float32Array(G).fill(1) };
    await s.run(input);
    const n = 20 * ROUNDS;
    const t0 = performance.now();
    for (let k = 0; k < n; k++) await s.run(input);
    return { rate: n / ((performance.now() - t0) / 1000), note: '' };
  } finally {
    await s.close();
  }
}

const rows: string[][] = [];
const header = ['provider', 'encoder file', 'tiles/s', 'UMEML cases/s (8 patches)', 'vs CPU (tiles, cases)'];
console.log(header.join(' | '));
// Rows print as they are measured (a software adapter can take minutes).
const push = (r: string[]) => { rows.push(r); console.log(r.join(' | ')); };
const cpuTiles = await tilesPerSecond('cpu', 'int8');
const cpuFloat = await tilesPerSecond('cpu', 'float32');
const cpuCases = await casesPerSecond('cpu');
push(['cpu', 'int8', cpuTiles?.rate.toFixed(1) ?? '-', cpuCases.rate.toFixed(1), '1.00, 1.00']);
push(['cpu', 'float32', cpuFloat?.rate.toFixed(1) ?? '-', '', `${((cpuFloat?.rate ?? NaN) / (cpuTiles?.rate ?? NaN)).toFixed(2)}, -`]);
const adapters: string[] = [];
for (const ep of gpus) {
  const t = await tilesPerSecond(ep, float ? 'float32' : 'int8');
  const c = await casesPerSecond(ep);
  if (t?.adapter) adapters.push(`${ep}: ${t.adapter.adapter ? `${t.adapter.adapter.name} (${t.adapter.adapter.vendor}, ${t.adapter.adapter.type}, ${t.adapter.adapter.backend} ${t.adapter.adapter.apiVersion})` : 'unknown'} — ${t.adapter.note}`);
  push([ep, float ? 'float32' : 'int8', t ? (Number.isNaN(t.rate) ? `did not start: ${t.note}` : t.rate.toPrecision(3)) : '-', Number.isNaN(c.rate) ? `did not start: ${c.note}` : c.rate.toPrecision(3),
    `${((t?.rate ?? NaN) / (cpuTiles?.rate ?? NaN)).toPrecision(2)}, ${(c.rate / cpuCases.rate).toPrecision(2)}`]);
}
console.log(`adapter: ${adapters.join('; ') || (gpus.length ? 'none started' : 'no GPU provider planned on this machine (set GLIOFUSE_BENCH_EPS=webgpu to try one)')}`);
if (!process.env.GLIOFUSE_DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
