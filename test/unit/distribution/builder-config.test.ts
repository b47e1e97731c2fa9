import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { builderConfig, parseDistArgs } from '../../../scripts/dist.mjs';
import { SLIDE_FILE_EXTENSIONS } from '../../../src/shared/shell-events.ts';
import { REPO_ROOT } from '../../helpers/shared-data.ts';

const release = builderConfig(parseDistArgs(['--linux', '--x64']));

test('release fuses: no Node mode, no NODE_OPTIONS, no inspector, asar only with integrity, cookie encryption, no file:// privileges', () => {
  assert.deepEqual(
    { ...release.electronFuses },
    {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
      resetAdHocDarwinSignature: true,
    },
  );
});

test('--test-build turns on inspect arguments and nothing else', () => {
  const t = builderConfig(parseDistArgs(['--linux', '--x64', '--test-build']));
  const diff = Object.keys(t.electronFuses).filter((k) => t.electronFuses[k] !== release.electronFuses[k]);
  assert.deepEqual(diff, ['enableNodeCliInspectArguments']);
  assert.equal(t.electronFuses.enableNodeCliInspectArguments, true);
});

test('offline and reproducible: no publish feed, no native rebuild', () => {
  assert.equal(release.publish, null);
  assert.equal(release.npmRebuild, false);
  const yml = fs.readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
  assert.match(yml, /npmRebuild: false/);
  assert.match(yml, /# All native modules .* are Node-API addons/);
});

test('targets: AppImage + deb with declared depends, NSIS per-user/per-machine choice, DMG for x64 and arm64', () => {
  assert.deepEqual(release.linux.target, ['AppImage', 'deb']);
  assert.ok(release.deb.depends.includes('libgtk-3-0') && release.deb.depends.includes('libnss3'));
  assert.equal(release.nsis.oneClick, false);
  assert.equal(release.nsis.perMachine, false); // with oneClick off this offers "just me" or "all users"
  assert.equal(release.nsis.allowElevation, true);
  assert.deepEqual(release.mac.target, [{ target: 'dmg', arch: ['x64', 'arm64'] }]);
});

test('file associations cover exactly the slide extensions the shell accepts', () => {
  const exts = release.fileAssociations.flatMap((a) => (Array.isArray(a.ext) ? a.ext : [a.ext])).sort();
  assert.deepEqual(exts, [...SLIDE_FILE_EXTENSIONS].sort());
});

test('natives are unpacked and OpenSlide comes from the per-platform vendor folder', () => {
  for (const p of ['**/*.node', 'node_modules/onnxruntime-node/bin/**']) assert.ok(release.asarUnpack.includes(p), p);
  assert.deepEqual(release.linux.extraResources.map((r) => [r.from, r.to]), [['vendor/openslide/linux-${arch}', 'openslide']]);
  assert.deepEqual(release.win.extraResources.map((r) => [r.from, r.to]), [['vendor/openslide/win32-${arch}', 'openslide']]);
  assert.deepEqual(release.mac.extraResources.map((r) => [r.from, r.to]), [['vendor/openslide/darwin-${arch}', 'openslide']]);
  const moved = builderConfig(parseDistArgs(['--openslide-vendor', '/tmp/v']));
  assert.equal(moved.linux.extraResources[0]!.from, '/tmp/v/linux-${arch}');
});

test('icons exist in every format the targets need and are valid images', () => {
  const build = path.join(REPO_ROOT, 'build');
  const png = fs.readFileSync(path.join(build, 'icon.png'));
  assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
  assert.equal(png.readUInt32BE(16), 1024);
  for (const n of [16, 32, 48, 64, 128, 256, 512]) {
    const f = fs.readFileSync(path.join(build, 'icons', `${n}x${n}.png`));
    assert.equal(f.readUInt32BE(16), n, `${n}x${n}.png width`);
  }
  const ico = fs.readFileSync(path.join(build, 'icon.ico'));
  assert.equal(ico.readUInt16LE(2), 1); // type 1 = icon
  assert.ok(ico.readUInt16LE(4) >= 6, 'ico holds several sizes');
  const icns = fs.readFileSync(path.join(build, 'icon.icns'));
  assert.equal(icns.subarray(0, 4).toString('ascii'), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
  const types: string[] = [];
  for (let off = 8; off < icns.length; off += icns.readUInt32BE(off + 4)) types.push(icns.subarray(off, off + 4).toString('ascii'));
  for (const t of ['ic07', 'ic08', 'ic09', 'ic10']) assert.ok(types.includes(t), `icns lacks ${t}`);
});
