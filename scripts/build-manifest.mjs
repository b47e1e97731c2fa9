#!/usr/bin/env node
/**
 * Writes dist/build-manifest.json: what this build is (version, commit, date) and the sha256 of every model file
 * it ships. The manifest travels inside app.asar (covered by the asar integrity fuse where the OS supports it);
 * the models travel outside it (resources/models). At start-up the app re-hashes the shipped models against this
 * list (src/main/integrity/build-manifest.ts), so a swapped or edited model file is caught before it is used.
 *
 * Shipped models = every file under models/ except the top-level folders in MODELS_EXCLUDED (the training recipe)
 * and editor/Python litter. electron-builder.yml's extraResources filter for models/ uses the same rule; the dist
 * test checks the packaged folder and this list agree file for file.
 *
 *   node scripts/build-manifest.mjs [--out FILE] [--models DIR]
 *
 * Reproducible builds: SOURCE_DATE_EPOCH (seconds) fixes the build date; GLIOFUSE_COMMIT overrides `git rev-parse`.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MANIFEST_SCHEMA_VERSION = 1;
/** Top-level folders of models/ that are not shipped. */
export const MODELS_EXCLUDED = ['training'];
/** File and folder names never shipped anywhere under models/. */
export const JUNK_NAMES = ['__pycache__', '.DS_Store', '.pytest_cache', 'Thumbs.db', '.gitkeep'];

export function sha256File(file) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Shipped model files relative to the models root, '/'-separated and sorted. */
export function listShippedModelFiles(modelsRoot) {
  if (!fs.existsSync(modelsRoot)) return [];
  const out = [];
  const walk = (dir, rel) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      if (JUNK_NAMES.includes(ent.name) || ent.name.endsWith('.pyc')) continue;
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (!rel && MODELS_EXCLUDED.includes(ent.name)) continue;
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p, r);
      else if (ent.isFile()) out.push(r);
    }
  };
  walk(modelsRoot, '');
  return out.sort();
}

function gitCommit(root) {
  if (process.env.GLIOFUSE_COMMIT) return { commit: process.env.GLIOFUSE_COMMIT, dirty: null };
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return { commit: 'unknown', dirty: null };
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.status === 0 ? status.stdout.trim().length > 0 : null };
}

export function createBuildManifest({ root = ROOT, modelsRoot = path.join(root, 'models'), encodersRoot = path.join(root, 'dist', 'encoders') } = {}) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const buildDate = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  const { commit, dirty } = gitCommit(root);
  const models = listShippedModelFiles(modelsRoot).map((rel) => {
    const file = path.join(modelsRoot, ...rel.split('/'));
    return { path: rel, sha256: sha256File(file), bytes: fs.statSync(file).size };
  });
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    product: pkg.productName ?? pkg.name,
    version: pkg.version,
    commit,
    commitDirty: dirty,
    buildDate: buildDate.toISOString(),
    modelsExcluded: MODELS_EXCLUDED,
    models,
    // The tile encoder the installer carries (issue 13.1), prepared by scripts/prepare-encoder.ts into dist/encoders
    // and shipped as resources/encoders; absent from development builds that never ran it.
    encoders: listEncoderFiles(encodersRoot),
  };
}

/** dist/encoders/*.onnx with sha256 and size, sorted ([] when the folder does not exist). */
export function listEncoderFiles(encodersRoot) {
  if (!fs.existsSync(encodersRoot)) return [];
  return fs.readdirSync(encodersRoot).filter((n) => n.endsWith('.onnx')).sort().map((n) => {
    const file = path.join(encodersRoot, n);
    return { path: n, sha256: sha256File(file), bytes: fs.statSync(file).size };
  });
}

export function writeBuildManifest({ root = ROOT, outFile = path.join(root, 'dist', 'build-manifest.json'), modelsRoot } = {}) {
  const manifest = createBuildManifest({ root, ...(modelsRoot ? { modelsRoot } : {}) });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(tmp, outFile);
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  try {
    const out = path.resolve(opt('--out') ?? path.join(ROOT, 'dist', 'build-manifest.json'));
    const models = opt('--models');
    const m = writeBuildManifest({ outFile: out, ...(models ? { modelsRoot: path.resolve(models) } : {}) });
    process.stdout.write(`build-manifest: ${out} (${m.version}, ${m.commit.slice(0, 12)}, ${m.models.length} model files)\n`);
  } catch (err) {
    process.stderr.write(`build-manifest: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
