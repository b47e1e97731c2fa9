/**
 * Test fixture: the app packaged by electron-builder (`--dir --linux --x64`) against a stub Electron
 * (stub-electron.ts), with a test OpenSlide vendor folder, then app.asar extracted so plain Node can run the
 * packaged bundles. Packaging takes ~40 s, so the result is shared by every test file of one `node --test` run
 * (keyed on the runner's pid and start time) and guarded by a lock; caches of finished runs are removed.
 *
 * The test vendor folder holds this machine's libopenslide (Debian's OpenSlide 3.4, not the self-contained
 * OpenSlide 4 that releases ship — see vendor/openslide/README.md); it exercises the copy, the checksum pinning and
 * the loader's lookup, which are the same for any library file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createRequire } from 'node:module';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { makeStubElectronDist } from './stub-electron.ts';

const require = createRequire(import.meta.url);

export interface PackagedApp {
  /** release/linux-unpacked */
  appOutDir: string;
  resourcesDir: string;
  asarPath: string;
  /** app.asar extracted (with its unpacked files) — what Electron sees as the app folder. */
  extractedDir: string;
  vendorDir: string;
  executable: string;
  /** Wall time of build + package, seconds. */
  packSeconds: number;
  builderLog: string;
  /** Runs the packaged CLI bundle with plain Node. */
  runCli(args: string[], opts?: { input?: string; env?: Record<string, string> }): SpawnSyncReturns<string>;
}

export const PACKAGING_SKIP_REASON =
  process.platform !== 'linux' || process.arch !== 'x64' ? 'the packaging check builds linux-x64 and runs on linux-x64 only' : undefined;

/** The system OpenSlide library this machine has (Debian: libopenslide0). */
export function systemOpenSlide(): string | null {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib']) {
    for (const name of ['libopenslide.so.1', 'libopenslide.so.0']) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) return fs.realpathSync(p);
    }
  }
  return null;
}

function runnerKey(): string {
  const ppid = process.ppid;
  let start = '0';
  try {
    start = fs.readFileSync(`/proc/${ppid}/stat`, 'utf8').split(' ')[21] ?? '0';
  } catch {
    /* not Linux; the pid alone is the key */
  }
  return `${ppid}-${start}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cleanStaleCaches(base: string, keep: string): void {
  for (const name of fs.existsSync(base) ? fs.readdirSync(base) : []) {
    const pid = Number(name.split('-')[0]);
    if (name !== keep && Number.isInteger(pid) && !alive(pid)) fs.rmSync(path.join(base, name), { recursive: true, force: true });
  }
}

async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if ((owner && !alive(owner)) || i > 2400) fs.rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

let cached: Promise<PackagedApp> | null = null;

export function packagedApp(): Promise<PackagedApp> {
  cached ??= build();
  return cached;
}

async function build(): Promise<PackagedApp> {
  const base = path.join(os.tmpdir(), 'gliofuse-packaged');
  fs.mkdirSync(base, { recursive: true });
  const key = runnerKey();
  const dir = path.join(base, key);
  cleanStaleCaches(base, key);
  return withLock(`${dir}.lock`, async () => {
    const stub = path.join(dir, 'electron-stub');
    const vendorDir = path.join(dir, 'vendor-openslide');
    const output = path.join(dir, 'release');
    const extractedDir = path.join(dir, 'extracted');
    const done = path.join(dir, 'done.json');
    if (!fs.existsSync(done)) {
      fs.rmSync(dir, { recursive: true, force: true });
      const electronVersion = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
      makeStubElectronDist(stub, electronVersion);
      const lib = systemOpenSlide();
      if (!lib) throw new Error('no system OpenSlide library found (apt-get install libopenslide0)');
      fs.mkdirSync(path.join(vendorDir, 'linux-x64'), { recursive: true });
      fs.copyFileSync(lib, path.join(vendorDir, 'linux-x64', 'libopenslide.so.0'));
      const { recordTarget } = (await import('../../../scripts/openslide-vendor.mjs')) as { recordTarget: (d: string, t: string, s: string) => number };
      recordTarget(vendorDir, 'linux-x64', `test copy of ${lib}`);

      const started = Date.now();
      const res = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, 'scripts', 'dist.mjs'), '--linux', '--x64', '--dir', '--electron-dist', stub, '--openslide-vendor', vendorDir, '--output', output],
        { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true', GLIOFUSE_ENCODER_SOURCE: process.env.GLIOFUSE_ENCODER_SOURCE ?? sharedFile('models', 'mobilenetv2-12-int8.onnx') }, maxBuffer: 64 * 1024 * 1024 },
      );
      const log = `${res.stdout}\n${res.stderr}`;
      if (res.status !== 0) throw new Error(`scripts/dist.mjs failed (exit ${res.status}):\n${log.slice(-4000)}`);
      const asar = require('@electron/asar') as { extractAll(a: string, d: string): void };
      asar.extractAll(path.join(output, 'linux-unpacked', 'resources', 'app.asar'), extractedDir);
      fs.writeFileSync(done, JSON.stringify({ packSeconds: (Date.now() - started) / 1000, log }));
    }
    const meta = JSON.parse(fs.readFileSync(done, 'utf8')) as { packSeconds: number; log: string };
    const appOutDir = path.join(output, 'linux-unpacked');
    const resourcesDir = path.join(appOutDir, 'resources');
    return {
      appOutDir,
      resourcesDir,
      asarPath: path.join(resourcesDir, 'app.asar'),
      extractedDir,
      vendorDir,
      executable: path.join(appOutDir, 'gliofuse'),
      packSeconds: meta.packSeconds,
      builderLog: meta.log,
      runCli(args, opts = {}) {
        return spawnSync(process.execPath, [path.join(extractedDir, 'dist', 'cli', 'main.js'), ...args], {
          cwd: os.tmpdir(),
          encoding: 'utf8',
          input: opts.input ?? '',
          // No tsx, no repository paths: only what the package carries.
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), ...opts.env },
          timeout: 120_000,
        });
      },
    };
  });
}
