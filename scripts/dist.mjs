#!/usr/bin/env node
/**
 * `npm run dist -- [options]`: production build, then electron-builder with electron-builder.yml.
 *
 *   --linux | --win | --mac        target platform (default: this machine's)
 *   --x64 | --arm64                target arch (default: this machine's)
 *   --dir                          unpacked app only (no installer; what CI checks here)
 *   --targets AppImage,deb         installer formats (default: those in electron-builder.yml)
 *   --test-build                   fuses as released except EnableNodeCliInspectArguments on (debuggable test build)
 *   --electron-dist DIR            use an unpacked Electron from DIR instead of downloading one (offline machines)
 *   --openslide-vendor DIR         vendor root holding <platform>-<arch>/ and SHA256SUMS (default vendor/openslide)
 *   --openslide-optional           allow a package without bundled OpenSlide (development only)
 *   --output DIR                   where packages go (default release/)
 *   --skip-build                   package the existing dist/ as is (including dist/encoders)
 *
 * The tile encoder (dist/encoders, issue 13.1) comes from GLIOFUSE_ENCODER_SOURCE (a local copy of the pinned
 * upstream file, for build machines without network access) or is downloaded; either way its sha256 is checked.
 *
 * electron-builder merges array options instead of replacing them, so overrides are applied to the parsed YAML
 * here and the result is handed to electron-builder as one complete config file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build as buildApp } from './build.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export function parseDistArgs(argv) {
  const o = { platform: process.platform, arch: process.arch, dir: false, targets: null, testBuild: false, electronDist: null, openslideVendor: null, openslideOptional: false, output: null, skipBuild: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--linux') o.platform = 'linux';
    else if (a === '--win') o.platform = 'win32';
    else if (a === '--mac') o.platform = 'darwin';
    else if (a === '--x64' || a === '--arm64') o.arch = a.slice(2);
    else if (a === '--dir') o.dir = true;
    else if (a === '--targets') o.targets = val().split(',').filter(Boolean);
    else if (a === '--test-build') o.testBuild = true;
    else if (a === '--electron-dist') o.electronDist = path.resolve(val());
    else if (a === '--openslide-vendor') o.openslideVendor = path.resolve(val());
    else if (a === '--openslide-optional') o.openslideOptional = true;
    else if (a === '--output') o.output = path.resolve(val());
    else if (a === '--skip-build') o.skipBuild = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/**
 * dist/encoders/<id>.onnx from GLIOFUSE_ENCODER_SOURCE or the pinned upstream URL, sha256-verified
 * (scripts/prepare-encoder.ts, TypeScript run through tsx, a dev dependency present wherever installers are built).
 */
export function prepareEncoder() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'prepare-encoder.ts'), '--out', path.join(ROOT, 'dist', 'encoders')], { cwd: ROOT, encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error((r.stderr || r.stdout || `prepare-encoder exited ${r.status}`).trim());
  process.stdout.write(r.stdout);
}

/** electron-builder.yml as an object, with this run's overrides applied. */
export function builderConfig(o) {
  const yaml = require('js-yaml');
  const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8'));
  config.afterPack = path.join(ROOT, 'build', 'after-pack.mjs');
  if (o.output) config.directories = { ...config.directories, output: o.output };
  if (o.electronDist) config.electronDist = o.electronDist;
  if (o.testBuild) config.electronFuses = { ...config.electronFuses, enableNodeCliInspectArguments: true };
  if (o.openslideVendor) {
    for (const key of ['linux', 'win', 'mac']) {
      for (const r of config[key]?.extraResources ?? []) {
        if (r.to === 'openslide') r.from = r.from.replace(/^vendor\/openslide/, o.openslideVendor);
      }
    }
  }
  return config;
}

export async function dist(argv) {
  const o = parseDistArgs(argv);
  // The tile encoder every installer carries (issue 13.1), before the build so the build manifest lists it.
  if (!o.skipBuild) prepareEncoder();
  if (!o.skipBuild) await buildApp(['--production', '--strict']);
  if (o.openslideVendor) process.env.GLIOFUSE_OPENSLIDE_VENDOR = o.openslideVendor;
  if (o.openslideOptional) process.env.GLIOFUSE_OPENSLIDE_OPTIONAL = '1';
  const config = builderConfig(o);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-builder-'));
  const configFile = path.join(tmp, 'electron-builder.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const { build, Platform, Arch } = require('electron-builder');
  const platform = { linux: Platform.LINUX, win32: Platform.WINDOWS, darwin: Platform.MAC }[o.platform];
  if (!platform) throw new Error(`unsupported platform ${o.platform}`);
  const arch = Arch[o.arch];
  if (arch === undefined) throw new Error(`unsupported arch ${o.arch}`);
  const targetNames = o.dir ? ['dir'] : (o.targets ?? []);
  try {
    const artifacts = await build({
      projectDir: ROOT,
      config: configFile,
      publish: 'never',
      targets: platform.createTarget(targetNames.length ? targetNames : null, arch),
    });
    return { options: o, config, artifacts, outDir: path.resolve(ROOT, config.directories.output) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  dist(process.argv.slice(2)).then(
    (r) => {
      process.stdout.write(`dist: ${r.artifacts.length ? r.artifacts.join('\n      ') : `unpacked app in ${r.outDir}`}\n`);
    },
    (err) => {
      process.stderr.write(`dist: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
