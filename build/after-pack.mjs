/**
 * electron-builder afterPack hook: refuses to produce a package that is not what we mean to ship. Runs after the
 * app and extraResources are in place and before electron-builder flips the fuses and signs.
 *
 * 1. app.asar holds the built main, preload, CLI, renderer and build manifest, and no source maps, TypeScript
 *    sources or tests.
 * 2. onnxruntime-node: exactly the target platform/arch binaries, unpacked (the npm package carries all platforms).
 * 3. OpenSlide: resources/openslide matches vendor/openslide/SHA256SUMS for the target (GLIOFUSE_OPENSLIDE_VENDOR
 *    points at another vendor root). GLIOFUSE_OPENSLIDE_OPTIONAL=1 allows a package without bundled OpenSlide
 *    (development builds only: the app then needs a system OpenSlide).
 * 4. resources/models matches the build manifest inside the asar, file for file and hash for hash.
 *
 * A one-line summary per check is printed; any failure throws, which fails the build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { listShippedModelFiles, sha256File } from '../scripts/build-manifest.mjs';
import { DEFAULT_VENDOR_DIR, readSums, verifyOpenSlideDir } from '../scripts/openslide-vendor.mjs';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');

/** electron-builder's Arch enum (builder-util): ia32=0, x64=1, armv7l=2, arm64=3, universal=4. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];
export const ORT_DIR = 'node_modules/onnxruntime-node/bin/napi-v6';
export const REQUIRED_IN_ASAR = [
  'package.json',
  'dist/electron/main.js',
  'dist/electron/preload.cjs',
  'dist/cli/main.js',
  'dist/renderer/index.html',
  'dist/build-manifest.json',
];
const FORBIDDEN_IN_ASAR = [/\.map$/, /\.(ts|tsx|mts|cts)$/, /(^|\/)(test|tests|__tests__)\//, /^src\//, /^models\//, /^vendor\//];

function log(line) {
  process.stdout.write(`  • after-pack: ${line}\n`);
}

export function checkAsar(asarPath) {
  const entries = asar.listPackage(asarPath, { isPack: false }).map((e) => e.replace(/\\/g, '/').replace(/^\//, ''));
  const set = new Set(entries);
  const missing = REQUIRED_IN_ASAR.filter((f) => !set.has(f));
  const forbidden = entries.filter((e) => FORBIDDEN_IN_ASAR.some((re) => re.test(e)));
  const problems = [...missing.map((f) => `app.asar lacks ${f}`), ...forbidden.slice(0, 10).map((f) => `app.asar must not contain ${f}`)];
  return { entries, problems };
}

export function checkOnnxRuntime(resourcesDir, platform, arch) {
  const dir = path.join(resourcesDir, 'app.asar.unpacked', ...ORT_DIR.split('/'));
  const problems = [];
  if (!fs.existsSync(dir)) return { problems: [`${ORT_DIR} is not unpacked`], files: [] };
  const platforms = fs.readdirSync(dir);
  for (const p of platforms) if (p !== platform) problems.push(`onnxruntime for ${p} is packed`);
  const archDir = path.join(dir, platform);
  const arches = fs.existsSync(archDir) ? fs.readdirSync(archDir) : [];
  for (const a of arches) if (a !== arch) problems.push(`onnxruntime for ${platform}-${a} is packed`);
  const target = path.join(archDir, arch);
  const files = fs.existsSync(target) ? fs.readdirSync(target) : [];
  if (!files.includes('onnxruntime_binding.node')) problems.push(`onnxruntime-node ships no ${platform}-${arch} binary (onnxruntime_binding.node missing)`);
  return { problems, files };
}

export function checkModels(resourcesDir, asarPath) {
  const manifest = JSON.parse(asar.extractFile(asarPath, 'dist/build-manifest.json').toString('utf8'));
  const modelsDir = path.join(resourcesDir, 'models');
  const shipped = listShippedModelFiles(modelsDir);
  const listed = new Map(manifest.models.map((m) => [m.path, m]));
  const problems = [];
  for (const rel of shipped) if (!listed.has(rel)) problems.push(`models/${rel} is not in the build manifest`);
  for (const [rel, m] of listed) {
    const f = path.join(modelsDir, ...rel.split('/'));
    if (!fs.existsSync(f)) problems.push(`models/${rel} is missing`);
    else if (sha256File(f) !== m.sha256) problems.push(`models/${rel} differs from the build manifest`);
  }
  return { problems, files: shipped.length, manifest };
}

/**
 * resources/encoders holds exactly the tile encoder(s) the build manifest lists, hash for hash, and at least one:
 * an installer without its encoder would send clinics to a network they do not have (issue 13.1).
 */
export function checkEncoders(resourcesDir, manifest) {
  const dir = path.join(resourcesDir, 'encoders');
  const listed = manifest.encoders ?? [];
  const problems = [];
  if (listed.length === 0) problems.push('no tile encoder in the build manifest (run scripts/prepare-encoder.ts; set GLIOFUSE_ENCODER_SOURCE on machines without network access)');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  for (const n of files) if (!listed.some((e) => e.path === n)) problems.push(`encoders/${n} is not in the build manifest`);
  for (const e of listed) {
    const f = path.join(dir, e.path);
    if (!fs.existsSync(f)) problems.push(`encoders/${e.path} is missing`);
    else if (sha256File(f) !== e.sha256) problems.push(`encoders/${e.path} differs from the build manifest`);
  }
  return { problems, files };
}

export default async function afterPack(context) {
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const resourcesDir = context.packager.getResourcesDir(context.appOutDir);
  const asarPath = path.join(resourcesDir, 'app.asar');
  const failures = [];

  const a = checkAsar(asarPath);
  failures.push(...a.problems);
  log(`app.asar: ${a.entries.length} entries, ${a.problems.length ? 'PROBLEMS' : 'required files present, no sources/maps/tests'}`);

  const o = checkOnnxRuntime(resourcesDir, platform, arch);
  failures.push(...o.problems);
  log(`onnxruntime: ${platform}-${arch} [${o.files.join(', ')}]${o.problems.length ? ' PROBLEMS' : ''}`);

  const vendorRoot = process.env.GLIOFUSE_OPENSLIDE_VENDOR ? path.resolve(process.env.GLIOFUSE_OPENSLIDE_VENDOR) : DEFAULT_VENDOR_DIR;
  const osDir = path.join(resourcesDir, 'openslide');
  if (!fs.existsSync(osDir) && process.env.GLIOFUSE_OPENSLIDE_OPTIONAL === '1') {
    log('openslide: NOT bundled (GLIOFUSE_OPENSLIDE_OPTIONAL=1; the app will need a system OpenSlide)');
  } else {
    const target = `${platform}-${arch}`;
    let problems;
    let files = [];
    try {
      ({ problems, files } = verifyOpenSlideDir(osDir, target, readSums(vendorRoot)));
    } catch (err) {
      problems = [err instanceof Error ? err.message : String(err)];
    }
    if (problems.length) failures.push(...problems.map((p) => `OpenSlide: ${p} (see vendor/openslide/README.md)`));
    log(`openslide: ${target} ${files.length} files ${problems.length ? 'PROBLEMS' : 'match SHA256SUMS'}`);
  }

  const m = checkModels(resourcesDir, asarPath);
  failures.push(...m.problems);
  log(`models: ${m.files} files ${m.problems.length ? 'PROBLEMS' : `match build manifest (${m.manifest.version}, ${String(m.manifest.commit).slice(0, 12)})`}`);

  const enc = checkEncoders(resourcesDir, m.manifest);
  failures.push(...enc.problems);
  log(`encoders: ${enc.files.join(', ') || 'none'} ${enc.problems.length ? 'PROBLEMS' : 'match build manifest'}`);

  if (failures.length) throw new Error(`Gliofuse package check failed:\n  - ${failures.join('\n  - ')}`);
}
