/**
 * Packaging check (issue 4): electron-builder `--dir --linux --x64` against a stub Electron, then the output is
 * inspected the way a release reviewer would: what is inside app.asar, what is unpacked, where the natives and
 * OpenSlide are, that models match the build manifest, that the fuses are flipped — and the packaged bundles are
 * run in plain Node from the extracted package to prove the natives resolve from the packaged layout.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { PACKAGING_SKIP_REASON, packagedApp, type PackagedApp } from './packaged-app.ts';
import { sharedFile } from '../../helpers/shared-data.ts';
import { libraryCandidates } from '../../../src/main/wsi/openslide-ffi.ts';
import afterPack, { ORT_DIR } from '../../../build/after-pack.mjs';
import { EXTERNAL } from '../../../scripts/build.mjs';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(p: string, o: { isPack: boolean }): string[] };

function duBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) total += fs.statSync(p).size;
    }
  };
  walk(dir);
  return total;
}
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function walkFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((ent) => {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    return ent.isDirectory() ? walkFiles(path.join(dir, ent.name), r) : [r];
  });
}

describe('packaged app (electron-builder --dir --linux --x64, stub Electron)', { skip: PACKAGING_SKIP_REASON }, () => {
  let app: PackagedApp;
  let entries: string[];

  before(async () => {
    app = await packagedApp();
    entries = asar.listPackage(app.asarPath, { isPack: false }).map((e) => e.replace(/^\//, ''));
  });

  test('sizes (reported, not asserted beyond sanity)', (t) => {
    const resources = duBytes(app.resourcesDir);
    const asarSize = fs.statSync(app.asarPath).size;
    const unpacked = duBytes(path.join(app.resourcesDir, 'app.asar.unpacked'));
    const whole = duBytes(app.appOutDir);
    t.diagnostic(`unpacked app folder (with the ${mb(whole - resources)} Electron stub): ${mb(whole)}`);
    t.diagnostic(`resources/ (what Gliofuse adds to Electron): ${mb(resources)} = app.asar ${mb(asarSize)} + app.asar.unpacked ${mb(unpacked)} + models/openslide ${mb(resources - asarSize - unpacked)}`);
    t.diagnostic(`build + package time: ${app.packSeconds.toFixed(0)} s`);
    // onnxruntime alone for all platforms is ~290 MB; one platform must stay far below that.
    assert.ok(resources < 150 * 1024 * 1024, `resources/ is ${mb(resources)}`);
  });

  test('app.asar holds the built main, preload, CLI, renderer and build manifest, and no sources, maps or tests', () => {
    for (const f of ['package.json', 'dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/cli/main.js', 'dist/renderer/index.html', 'dist/build-manifest.json']) {
      assert.ok(entries.includes(f), `missing ${f}`);
    }
    assert.ok(entries.some((e) => /^dist\/renderer\/assets\/.+\.js$/.test(e)), 'renderer assets');
    assert.ok(entries.some((e) => /^dist\/electron\/migrations\/0001-core\.sql$/.test(e)), 'migrations next to the main bundle');
    assert.ok(entries.some((e) => /^dist\/electron\/slide-worker\.js$/.test(e)), 'slide worker next to the main bundle');
    const bad = entries.filter((e) => /\.map$|\.(ts|tsx|mts|cts)$|(^|\/)(test|tests|__tests__)\/|^src\/|^scripts\/|^models\/|^docs\/|^vendor\/|^build\//.test(e));
    assert.deepEqual(bad, []);
    const pkg = JSON.parse(fs.readFileSync(path.join(app.extractedDir, 'package.json'), 'utf8')) as { main: string; type: string };
    assert.equal(pkg.main, 'dist/electron/main.js');
    assert.equal(pkg.type, 'module');
  });

  test('node_modules carries only what the bundles load at run time', () => {
    const top = new Set(entries.filter((e) => e.startsWith('node_modules/')).map((e) => e.split('/').slice(0, e.startsWith('node_modules/@') ? 3 : 2).join('/')));
    for (const ext of Object.keys(EXTERNAL).filter((n) => n !== 'electron')) assert.ok(top.has(`node_modules/${ext}`), `external ${ext} is shipped`);
    for (const inlined of ['react', 'react-dom', 'zod', 'commander', 'openseadragon', 'electron', 'electron-builder', 'typescript', 'vite', 'esbuild', 'tsx']) {
      assert.ok(!top.has(`node_modules/${inlined}`), `${inlined} must not be shipped (bundled or dev-only)`);
    }
    assert.ok(!entries.some((e) => e.startsWith('node_modules/sqlite3/deps/') || e.startsWith('node_modules/sqlite3/src/') || e.includes('/obj.target/')), 'sqlite3 sources/objects');
  });

  test('the preload is one CommonJS file that requires only electron (sandbox-safe)', () => {
    const src = fs.readFileSync(path.join(app.extractedDir, 'dist', 'electron', 'preload.cjs'), 'utf8');
    const requires = [...src.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(requires)], ['electron']);
    assert.doesNotMatch(src, /\bimport\s*\(|^import\s/m);
    assert.match(src, /exposeInMainWorld/);
  });

  test('onnxruntime: only linux-x64, unpacked; no binary of another platform anywhere in the package', () => {
    const ort = path.join(app.resourcesDir, 'app.asar.unpacked', ...ORT_DIR.split('/'));
    assert.deepEqual(fs.readdirSync(ort), ['linux']);
    assert.deepEqual(fs.readdirSync(path.join(ort, 'linux')), ['x64']);
    const files = fs.readdirSync(path.join(ort, 'linux', 'x64')).sort();
    assert.ok(files.includes('onnxruntime_binding.node') && files.some((f) => f.startsWith('libonnxruntime.so')), files.join(', '));
    const everything = [...entries, ...walkFiles(app.resourcesDir)];
    assert.deepEqual(everything.filter((e) => /\.(dll|dylib|exe)$/i.test(e) || /napi-v6\/(darwin|win32)\//.test(e)), []);
  });

  test('every native addon and shared library is unpacked (dlopen cannot read inside an asar)', () => {
    const unpacked = walkFiles(path.join(app.resourcesDir, 'app.asar.unpacked'));
    for (const want of [
      /^node_modules\/sqlite3\/build\/Release\/node_sqlite3\.node$/,
      /^node_modules\/@koromix\/koffi-linux-x64\/linux_x64\/koffi\.node$/,
      /^node_modules\/@img\/sharp-linux-x64\/lib\/sharp-linux-x64.*\.node$/,
      /^node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/,
      /^node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64\/libonnxruntime\.so/,
    ]) assert.ok(unpacked.some((f) => want.test(f)), `not unpacked: ${want}`);
    const packedNatives = entries.filter((e) => /\.node$|\.so(\.\d+)*$/.test(e) && !unpacked.includes(e));
    assert.deepEqual(packedNatives, [], 'natives left inside app.asar');
  });

  test('OpenSlide sits where the binding looks first, matches its pinned sha256 and loads through the packaged koffi', () => {
    const bundled = libraryCandidates({ resourcesPath: app.resourcesDir, platform: 'linux' }).filter((c) => c.source === 'bundled');
    const present = bundled.filter((c) => fs.existsSync(c.spec));
    assert.ok(present.length >= 1, `no bundled candidate exists: ${bundled.map((c) => c.spec).join(', ')}`);
    assert.equal(path.dirname(present[0]!.spec), path.join(app.resourcesDir, 'openslide'));
    const vendored = fs.readFileSync(path.join(app.vendorDir, 'linux-x64', 'libopenslide.so.0'));
    assert.ok(vendored.equals(fs.readFileSync(present[0]!.spec)));
    // koffi from the extracted package (its addon resolved from the unpacked tree), not the repository's.
    const script = `const k=require(${JSON.stringify(path.join(app.extractedDir, 'node_modules', 'koffi'))});` +
      `const l=k.load(${JSON.stringify(present[0]!.spec)});process.stdout.write(l.func('const char *openslide_get_version()')())`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  });

  test('model files in resources/models match the build manifest inside app.asar', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(app.extractedDir, 'dist', 'build-manifest.json'), 'utf8')) as { version: string; commit: string; models: { path: string; sha256: string; bytes: number }[] };
    const modelsDir = path.join(app.resourcesDir, 'models');
    const shipped = fs.existsSync(modelsDir) ? walkFiles(modelsDir).sort() : [];
    assert.deepEqual(shipped, manifest.models.map((m) => m.path).sort());
    assert.ok(!shipped.some((f) => f.startsWith('training/')), 'the training recipe is not shipped');
    for (const m of manifest.models) {
      const data = fs.readFileSync(path.join(modelsDir, ...m.path.split('/')));
      assert.equal(data.length, m.bytes, m.path);
      assert.equal(crypto.createHash('sha256').update(data).digest('hex'), m.sha256, m.path);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(app.extractedDir, 'package.json'), 'utf8')) as { version: string };
    assert.equal(manifest.version, pkg.version);
  });

  test('the tile encoder is in the package (issue 13.1): listed in the build manifest, a pinned graph, found by the packaged CLI', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(app.extractedDir, 'dist', 'build-manifest.json'), 'utf8')) as { encoders?: { path: string; sha256: string; bytes: number }[] };
    const enc = manifest.encoders ?? [];
    assert.deepEqual(enc.map((e) => e.path), ['mobilenetv2-12-int8-features.onnx']);
    assert.deepEqual(fs.readdirSync(path.join(app.resourcesDir, 'encoders')), ['mobilenetv2-12-int8-features.onnx']);
    const data = fs.readFileSync(path.join(app.resourcesDir, 'encoders', 'mobilenetv2-12-int8-features.onnx'));
    const digest = crypto.createHash('sha256').update(data).digest('hex');
    assert.equal(digest, enc[0]?.sha256);
    assert.equal(data.length, enc[0]?.bytes);
    // The upstream file with its features output added exactly as `gliofuse encoder fetch` does.
    assert.equal(digest, '550494695d96d9815ab984c2218faf6f42c67d0412d6a660c5f78866d9473565');
    const r = app.runCli(['--json', 'encoder', 'status'], { env: { GLIOFUSE_RESOURCES_DIR: app.resourcesDir, GLIOFUSE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'gf-enc-')) } });
    assert.equal(r.status, 0, r.stderr);
    const st = JSON.parse(r.stdout) as { installed: boolean; source: string; sha256: string };
    assert.deepEqual([st.installed, st.source, st.sha256], [true, 'bundled', digest]);
  });

  test('fuses are flipped as released (read back from the executable)', async () => {
    const { getCurrentFuseWire, FuseV1Options } = (await import('@electron/fuses')) as typeof import('@electron/fuses');
    const wire = await getCurrentFuseWire(app.executable);
    const state = (o: number) => String.fromCharCode((wire as unknown as Record<number, number>)[o]!);
    assert.equal(state(FuseV1Options.RunAsNode), '0');
    assert.equal(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable), '0');
    assert.equal(state(FuseV1Options.EnableNodeCliInspectArguments), '0');
    assert.equal(state(FuseV1Options.OnlyLoadAppFromAsar), '1');
    assert.equal(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation), '1');
    assert.equal(state(FuseV1Options.EnableCookieEncryption), '1');
    assert.equal(state(FuseV1Options.GrantFileProtocolExtraPrivileges), '0');
  });

  test('no update feed is packaged (offline app)', () => {
    assert.ok(!fs.existsSync(path.join(app.resourcesDir, 'app-update.yml')));
    assert.ok(!entries.some((e) => /electron-updater|app-update\.yml/.test(e)));
  });

  test('the packaged CLI runs in plain Node from the package: sqlite3, migrations, audit chain', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-packaged-cli-'));
    try {
      const db = path.join(tmp, 'g.sqlite');
      const version = app.runCli(['--version']);
      assert.equal(version.status, 0, version.stderr);
      const pkg = JSON.parse(fs.readFileSync(path.join(app.extractedDir, 'package.json'), 'utf8')) as { version: string };
      assert.match(version.stdout, new RegExp(pkg.version.replace(/\./g, '\\.')));
      const add = app.runCli(['--db', db, 'user', 'add', '--name', 'admin', '--role', 'admin', '--password-stdin'], { input: 'correct horse battery staple\n' });
      assert.equal(add.status, 0, add.stderr);
      const patient = app.runCli(['--db', db, '--as', 'admin', 'patient', 'add', '--pseudonym', 'PKG-001']);
      assert.equal(patient.status, 0, patient.stderr);
      const verify = app.runCli(['--db', db, 'audit', 'verify']);
      assert.equal(verify.status, 0, verify.stderr);
      assert.match(verify.stdout, /^ok, \d+ events, head [0-9a-f]{64}/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('the packaged slide worker reads a real slide with the bundled OpenSlide (koffi, sharp from the package)', () => {
    const lib = path.join(app.resourcesDir, 'openslide', 'libopenslide.so.0');
    const r = app.runCli(['--json', 'slide', 'info', sharedFile('wsi', 'CMU-1-Small-Region.svs')], { env: { GLIOFUSE_OPENSLIDE_LIB: lib } });
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { vendor: string; width: number; height: number; openslide_version: string };
    assert.equal(info.vendor, 'aperio');
    assert.deepEqual([info.width, info.height], [2220, 2967]);
    assert.match(info.openslide_version, /^\d+\.\d+/);
  });

  test('the package check fails on a tampered OpenSlide copy or a stray model file', async () => {
    // Re-run the afterPack checks on a copy of resources/ so the shared package stays intact.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-tamper-'));
    try {
      const appOut = path.join(tmp, 'linux-unpacked');
      fs.cpSync(app.appOutDir, appOut, { recursive: true });
      const ctx = { electronPlatformName: 'linux', arch: 1, appOutDir: appOut, packager: { getResourcesDir: (d: string) => path.join(d, 'resources') } };
      process.env.GLIOFUSE_OPENSLIDE_VENDOR = app.vendorDir;
      await afterPack(ctx); // the untouched copy passes
      const libCopy = path.join(appOut, 'resources', 'openslide', 'libopenslide.so.0');
      const bytes = fs.readFileSync(libCopy);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      fs.writeFileSync(libCopy, bytes);
      await assert.rejects(afterPack(ctx), /OpenSlide: sha256 mismatch: linux-x64\/libopenslide\.so\.0/);
      fs.copyFileSync(path.join(app.resourcesDir, 'openslide', 'libopenslide.so.0'), libCopy);
      fs.mkdirSync(path.join(appOut, 'resources', 'models', 'intruder'), { recursive: true });
      fs.writeFileSync(path.join(appOut, 'resources', 'models', 'intruder', 'umeml.onnx'), 'not from this build');
      await assert.rejects(afterPack(ctx), /models\/intruder\/umeml\.onnx is not in the build manifest/);
      fs.rmSync(path.join(appOut, 'resources', 'models', 'intruder'), { recursive: true });
      fs.mkdirSync(path.join(appOut, 'resources', 'app.asar.unpacked', ...ORT_DIR.split('/'), 'win32', 'x64'), { recursive: true });
      await assert.rejects(afterPack(ctx), /onnxruntime for win32 is packed/);
    } finally {
      delete process.env.GLIOFUSE_OPENSLIDE_VENDOR;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
