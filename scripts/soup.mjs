#!/usr/bin/env node
/**
 * Generates docs/SOUP.md (software of unknown provenance: every third-party component the installers carry) from
 * package-lock.json and the natives bundled outside npm. Deterministic: the same lockfile and vendor pins give the
 * same file, so CI can check it is current.
 *
 *   node scripts/soup.mjs            write docs/SOUP.md
 *   node scripts/soup.mjs --check    exit 1 when docs/SOUP.md is not what this script would write
 *
 * Scope: the production dependency tree (package.json "dependencies", followed through the lockfile), limited to
 * packages that can be installed for a platform Gliofuse ships (linux x64/arm64, win32 x64, darwin x64/arm64),
 * plus Electron (a devDependency that becomes the app's runtime) and the native libraries inside packages or
 * vendored (ONNX Runtime, libvips, SQLite, OpenSlide and what its self-contained build links in).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'SOUP.md');

/** Shipped targets, in npm's os/cpu vocabulary. */
const TARGETS = [['linux', 'x64'], ['linux', 'arm64'], ['win32', 'x64'], ['darwin', 'x64'], ['darwin', 'arm64']];
/** Optional platform variants that never apply to our targets even when os/cpu would (other libc, wasm). */
const NOT_SHIPPED_NAME = /(linuxmusl|wasm32|webcontainers)/;

/** Why each direct dependency is there. A new dependency without a purpose here fails generation. */
export const PURPOSE = {
  commander: 'command-line interface of the `gliofuse` CLI',
  koffi: 'foreign-function interface used to call the OpenSlide and TurboJPEG C libraries',
  'onnxruntime-node': 'runs the UMEML model and the tile encoder (ONNX Runtime, CPU)',
  openseadragon: 'deep-zoom whole-slide image viewer in the UI',
  pdfkit: 'PDF report generation',
  react: 'user interface',
  'react-dom': 'user interface (DOM renderer)',
  sharp: 'image decoding, resizing and JPEG/PNG encoding (libvips)',
  sqlite3: 'local case store and audit log (SQLite)',
  zod: 'schemas of the IPC/CLI contract and of model and build manifests',
};

/** Packages used only while npm installs (downloads/compiles a binary); electron-builder.yml keeps them out. */
export const INSTALL_TIME_ONLY = new Set(['prebuild-install', 'node-gyp', 'node-addon-api', 'tar', 'adm-zip', 'global-agent']);

function shippable(entry) {
  if (entry.os && !TARGETS.some(([os]) => entry.os.includes(os))) return false;
  if (entry.cpu && !TARGETS.some(([os, cpu]) => entry.cpu.includes(cpu) && (!entry.os || entry.os.includes(os)))) return false;
  return true;
}

function nameOf(key) {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Resolves a dependency name from a package folder the way Node does (nearest node_modules upwards). */
function resolveKey(packages, fromKey, dep) {
  let base = fromKey;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!base) return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

function licenceOf(key, entry) {
  if (entry.license) return entry.license;
  // A few packages omit the field; their installed LICENSE file names it.
  const licenceFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license'].map((f) => path.join(ROOT, key, f)).find((f) => fs.existsSync(f));
  if (licenceFile) {
    const first = fs.readFileSync(licenceFile, 'utf8').split('\n').find((l) => l.trim()) ?? '';
    const m = /^(MIT|ISC|BSD|Apache)/i.exec(first.trim());
    if (m) return `${m[1].toUpperCase() === 'MIT' ? 'MIT' : first.trim()} (from LICENSE file)`;
  }
  return 'UNKNOWN — check before release';
}

/** Walks the production tree from package.json's dependencies. */
export function productionPackages(lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')), pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))) {
  const packages = lock.packages;
  const found = new Map(); // key -> { via }
  const queue = Object.keys(pkg.dependencies ?? {}).map((d) => ({ from: '', dep: d, via: d }));
  while (queue.length) {
    const { from, dep, via } = queue.shift();
    const key = resolveKey(packages, from, dep);
    if (!key || found.has(key)) continue;
    const entry = packages[key];
    if (!shippable(entry) || NOT_SHIPPED_NAME.test(nameOf(key))) continue;
    found.set(key, { via });
    for (const d of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})]) queue.push({ from: key, dep: d, via });
  }
  return [...found.entries()]
    .map(([key, { via }]) => {
      const entry = packages[key];
      const name = nameOf(key);
      const direct = Object.prototype.hasOwnProperty.call(pkg.dependencies, name) && key === `node_modules/${name}`;
      if (direct && !PURPOSE[name]) throw new Error(`scripts/soup.mjs: add a PURPOSE for the new dependency "${name}"`);
      let purpose = direct ? PURPOSE[name] : `dependency of ${via}`;
      if (INSTALL_TIME_ONLY.has(name)) purpose += '; install-time only, not in the installer';
      const platform = entry.os || entry.cpu ? `${(entry.os ?? ['any']).join('/')} ${(entry.cpu ?? ['any']).join('/')}` : 'all';
      return { name, version: entry.version, licence: licenceOf(key, entry), purpose, direct, platform };
    })
    .sort((a, b) => (a.direct === b.direct ? a.name.localeCompare(b.name) || a.version.localeCompare(b.version) : a.direct ? -1 : 1));
}

function sqliteVersion() {
  const gypi = path.join(ROOT, 'node_modules', 'sqlite3', 'deps', 'common-sqlite.gypi');
  if (!fs.existsSync(gypi)) return 'as bundled by sqlite3';
  const m = /'sqlite_version%':'(\d)(\d\d)(\d\d)\d\d'/.exec(fs.readFileSync(gypi, 'utf8'));
  return m ? `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}` : 'as bundled by sqlite3';
}

function openSlidePin() {
  const sums = path.join(ROOT, 'vendor', 'openslide', 'SHA256SUMS');
  const lines = fs.existsSync(sums) ? fs.readFileSync(sums, 'utf8').split('\n').filter((l) => /^# [a-z0-9]+-[a-z0-9]+: /.test(l)) : [];
  return lines.length ? lines.map((l) => l.slice(2)).join('; ') : 'not vendored yet — pin in vendor/openslide/SHA256SUMS';
}

export function nativeComponents(lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'))) {
  const v = (key) => lock.packages[key]?.version ?? '?';
  return [
    { name: 'Electron', version: v('node_modules/electron'), licence: 'MIT', purpose: 'application runtime (main, renderer and utility processes)' },
    { name: 'Chromium (in Electron)', version: `as in Electron ${v('node_modules/electron')}`, licence: 'BSD-3-Clause and others (LICENSES.chromium.html in the installer)', purpose: 'renderer engine' },
    { name: 'Node.js (in Electron)', version: `as in Electron ${v('node_modules/electron')}`, licence: 'MIT', purpose: 'main and utility process runtime' },
    { name: 'ONNX Runtime (in onnxruntime-node)', version: v('node_modules/onnxruntime-node'), licence: 'MIT', purpose: 'native inference library (libonnxruntime / onnxruntime.dll)' },
    { name: 'libvips (in @img/sharp-libvips-*)', version: `package ${v('node_modules/@img/sharp-libvips-linux-x64')}`, licence: 'LGPL-3.0-or-later', purpose: 'image processing library behind sharp, dynamically linked' },
    { name: 'SQLite (in sqlite3)', version: sqliteVersion(), licence: 'blessing (public domain)', purpose: 'database engine compiled into node_sqlite3.node' },
    { name: 'koffi native addon (in @koromix/koffi-*)', version: v('node_modules/koffi'), licence: 'MIT', purpose: 'FFI runtime' },
    { name: 'OpenSlide (openslide-bin, self-contained)', version: openSlidePin(), licence: 'LGPL-2.1-only', purpose: 'whole-slide image reading (resources/openslide)' },
    { name: 'TurboJPEG (libjpeg-turbo), system library when installed', version: 'not bundled: the platform package (Debian libturbojpeg0, recommended by the .deb)', licence: 'IJG AND BSD-3-Clause AND Zlib', purpose: 'deep-zoom tile JPEG encoding when present; sharp otherwise (src/main/wsi/jpeg-encoder.ts)' },
    {
      name: 'OpenSlide build dependencies (statically linked into openslide-bin)',
      version: 'as listed in the openslide-bin release notes (versions.json in the archive)',
      licence: 'cairo LGPL-2.1/MPL-1.1; glib LGPL-2.1-or-later; libdicom MIT; libffi MIT; libjpeg-turbo IJG/BSD-3-Clause/Zlib; libpng libpng-2.0; libtiff libtiff; libxml2 MIT; OpenJPEG BSD-2-Clause; pixman MIT; proxy-libintl LGPL-2.1; SQLite blessing; uthash BSD-1-Clause; zlib-ng Zlib; Zstandard BSD-3-Clause',
      purpose: 'decoders and utilities OpenSlide uses',
    },
  ];
}

/**
 * The tile encoder every installer carries in resources/encoders (issue 13.1): prepared at dist time by
 * scripts/prepare-encoder.ts from the pinned upstream file. Pins restated from src/main/analysis/encoder-store.ts
 * (KNOWN_ENCODERS); test/unit/distribution/soup-encoder.test.ts fails when they differ.
 */
export const BUNDLED_ENCODER = {
  id: 'mobilenetv2-12-int8-features',
  upstreamSha256: 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f',
  shippedSha256: '550494695d96d9815ab984c2218faf6f42c67d0412d6a660c5f78866d9473565',
};

export function modelComponents() {
  const dir = path.join(ROOT, 'models');
  const out = [{
    name: `tile encoder ${BUNDLED_ENCODER.id} (resources/encoders, every installer)`,
    version: `ONNX Model Zoo mobilenetv2-12-int8 (opset 12), upstream sha256 ${BUNDLED_ENCODER.upstreamSha256.slice(0, 16)}…, shipped sha256 ${BUNDLED_ENCODER.shippedSha256.slice(0, 16)}…`,
    licence: 'Apache-2.0',
    purpose: 'tile feature extractor for slides, so no clinic needs a network: fetched (or taken from GLIOFUSE_ENCODER_SOURCE) and sha256-verified at dist time by scripts/prepare-encoder.ts, features output added, listed in the build manifest',
  }];
  for (const id of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const mf = path.join(dir, id, 'manifest.json');
    if (id === 'training' || !fs.existsSync(mf)) continue;
    let m;
    try {
      m = JSON.parse(fs.readFileSync(mf, 'utf8'));
    } catch {
      continue;
    }
    out.push({
      name: `${m.name ?? id} (${m.id ?? id})`,
      version: String(m.version ?? '?'),
      licence: m.trainingData?.licence ? `trained on data licensed ${m.trainingData.licence}` : 'see MODEL_CARD.md',
      purpose: 'bundled model package (resources/models)',
    });
    if (m.tileEncoder?.id) {
      out.push({
        name: `tile encoder ${m.tileEncoder.id}`,
        version: m.tileEncoder.sha256 ? `sha256 ${String(m.tileEncoder.sha256).slice(0, 16)}…` : '?',
        licence: m.tileEncoder.licence ?? 'Apache-2.0 (ONNX Model Zoo MobileNet v2)',
        purpose: m.tileEncoder.note ?? 'tile feature extractor',
      });
    }
  }
  return out;
}

const esc = (s) => String(s).replace(/\|/g, '\\|');

export function renderSoup() {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const npm = productionPackages(lock);
  const natives = nativeComponents(lock);
  const models = modelComponents();
  const table = (rows, withPlatform) => [
    withPlatform ? '| Name | Version | Licence | Purpose | Platforms |' : '| Name | Version | Licence | Purpose |',
    withPlatform ? '|---|---|---|---|---|' : '|---|---|---|---|',
    ...rows.map((r) => `| ${esc(r.name)} | ${esc(r.version)} | ${esc(r.licence)} | ${esc(r.purpose)} |${withPlatform ? ` ${esc(r.platform)} |` : ''}`),
  ];
  return [
    '# SOUP — third-party software in Gliofuse installers',
    '',
    '<!-- Generated by `node scripts/soup.mjs` from package-lock.json, vendor/openslide/SHA256SUMS and models/*/manifest.json. Do not edit by hand; CI fails when this file is stale. -->',
    '',
    'For Research Use Only. Not for use in diagnostic procedures.',
    '',
    'Software of unknown provenance (IEC 62304 §8.1.2): every third-party component an installer carries, with the',
    'version this build pins, its licence and why it is there. Development tools (TypeScript, Vite, esbuild,',
    'electron-builder, test runners) build the app but are not shipped and are not listed.',
    '',
    `## Runtime and native libraries (${natives.length})`,
    '',
    ...table(natives, false),
    '',
    `## npm packages (${npm.length}: ${npm.filter((r) => r.direct).length} direct, ${npm.filter((r) => !r.direct).length} transitive)`,
    '',
    'Production dependency tree from package-lock.json, limited to packages installable on a shipped platform',
    '(linux x64/arm64, win32 x64, darwin x64/arm64). Packages the bundles inline (zod, commander, React,',
    'OpenSeadragon) ship inside dist/; the native packages and pdfkit ship in app.asar / app.asar.unpacked.',
    "Platform-specific packages go only into that platform's installer.",
    '',
    ...table(npm, true),
    '',
    `## Model packages (${models.length})`,
    '',
    ...(models.length ? table(models, false) : ['No model package is bundled in this build.']),
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const text = renderSoup();
    if (process.argv.includes('--check')) {
      const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
      if (current !== text) {
        process.stderr.write('soup: docs/SOUP.md is out of date; run `node scripts/soup.mjs` and commit it.\n');
        process.exit(1);
      }
      process.stdout.write('soup: docs/SOUP.md is current\n');
    } else {
      fs.writeFileSync(OUT, text);
      process.stdout.write(`soup: wrote ${path.relative(ROOT, OUT)}\n`);
    }
  } catch (err) {
    process.stderr.write(`soup: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
