#!/usr/bin/env node
/**
 * `npm run build`: everything the app, the CLI and the packager run from, written to dist/.
 *
 *   dist/electron/main.js        Electron main process (ESM)        <- src/main/electron/main.ts
 *   dist/electron/preload.cjs    sandboxed preload (CJS, one file)  <- src/main/electron/preload.ts
 *   dist/cli/main.js             the `gliofuse` CLI (ESM)           <- src/main/cli/main.ts
 *   dist/<host>/<name>-worker.js every src/main/**\/<name>-worker.ts, next to each host bundle
 *   dist/<host>/migrations/*.sql the store's migrations, where defaultMigrationsDir() looks
 *   dist/renderer/               vite build -c src/renderer/vite.config.ts
 *   dist/build-manifest.json     version, commit, date, sha256 of every shipped model file
 *
 * Why this shape:
 * - Host bundles sit two folders below the app root (dist/<host>/main.js) so `appRoot()` (src/main/paths.ts),
 *   which walks two folders up from the running module, finds package.json from source and from dist alike.
 * - A worker is forked from `new URL('./x-worker' + ext, import.meta.url)`. Inside a bundle import.meta.url is
 *   the bundle itself, so each worker is emitted next to every host bundle that may fork it.
 * - Native and file-reading packages stay external (see EXTERNAL); everything else is inlined, so the packaged
 *   app needs only those packages in node_modules.
 *
 * Flags: --production (no source maps; used by `npm run dist`), --no-renderer, --only=electron,cli,renderer.
 * Missing entry files are skipped with a notice (other engineers' entries arrive over time); `--strict` fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { writeBuildManifest } from './build-manifest.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');

/** Packages loaded from node_modules at run time, with the reason they cannot be inlined. */
export const EXTERNAL = {
  electron: 'provided by the Electron runtime',
  sqlite3: 'native addon (node_sqlite3.node)',
  koffi: 'native addon (FFI used for OpenSlide)',
  sharp: 'native addon + libvips shared library',
  'onnxruntime-node': 'native addon + libonnxruntime shared library',
  pdfkit: 'reads its font metrics and ICC profile from files next to its own module',
};

/** Host bundles: the processes we start. Workers are emitted next to each. */
export const HOSTS = [
  { name: 'electron', entry: 'src/main/electron/main.ts', outDir: 'dist/electron', workers: true },
  { name: 'cli', entry: 'src/main/cli/main.ts', outDir: 'dist/cli', workers: true },
];
export const PRELOAD = { entry: 'src/main/electron/preload.ts', outFile: 'dist/electron/preload.cjs' };
export const RENDERER_CONFIG = 'src/renderer/vite.config.ts';
export const MIGRATIONS_DIR = 'src/main/store/migrations';

// Inlined CommonJS packages call require(), __dirname and __filename; an ESM bundle has none of them. esbuild
// renames any same-named top-level binding in our own sources, so these names cannot collide.
const ESM_BANNER = [
  "import { createRequire as __gfCreateRequire } from 'node:module';",
  "import { fileURLToPath as __gfFileURLToPath } from 'node:url';",
  "import { dirname as __gfDirname } from 'node:path';",
  'const require = __gfCreateRequire(import.meta.url);',
  'const __filename = __gfFileURLToPath(import.meta.url);',
  'const __dirname = __gfDirname(__filename);',
].join(' ');

/** Every `*-worker.ts` under src/main, as { entry, outName }. Two workers with one file name would collide. */
export function findWorkers(root = ROOT) {
  const found = [];
  const walk = (dir) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (ent.name !== 'electron') walk(p);
      } else if (/^[a-z0-9-]+-worker\.ts$/.test(ent.name)) {
        found.push({ entry: path.relative(root, p).split(path.sep).join('/'), outName: ent.name.replace(/\.ts$/, '.js') });
      }
    }
  };
  const srcMain = path.join(root, 'src', 'main');
  if (fs.existsSync(srcMain)) walk(srcMain);
  found.sort((a, b) => a.entry.localeCompare(b.entry));
  const names = new Set();
  for (const w of found) {
    if (names.has(w.outName)) throw new Error(`two worker entries are both named ${w.outName}; worker file names must be unique`);
    names.add(w.outName);
  }
  return found;
}

function parseArgs(argv) {
  const opts = { production: false, renderer: true, strict: false, only: null, quiet: false };
  for (const a of argv) {
    if (a === '--production') opts.production = true;
    else if (a === '--no-renderer') opts.renderer = false;
    else if (a === '--strict') opts.strict = true;
    else if (a === '--quiet') opts.quiet = true;
    else if (a.startsWith('--only=')) opts.only = new Set(a.slice(7).split(',').filter(Boolean));
    else throw new Error(`unknown option ${a} (use --production, --no-renderer, --strict, --quiet, --only=electron,cli,renderer)`);
  }
  return opts;
}

/**
 * Serialises concurrent builds (tests and developers may run `npm run build` at the same time) with an atomic
 * mkdir; a lock whose owner process is gone is taken over.
 */
async function withBuildLock(fn) {
  fs.mkdirSync(DIST, { recursive: true });
  const lock = path.join(DIST, '.build-lock');
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        /* the owner is between mkdir and writing its pid */
      }
      let alive = true;
      if (Number.isInteger(owner) && owner > 0) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive || attempt > 1200) fs.rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function nodeBundleOptions(opts) {
  return {
    bundle: true,
    platform: 'node',
    // Electron 45 runs Node 22; the CLI supports Node >= 20.19 (package.json engines).
    target: 'node20',
    format: 'esm',
    external: Object.keys(EXTERNAL),
    banner: { js: ESM_BANNER },
    sourcemap: opts.production ? false : 'linked',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  };
}

function copyMigrations(outDir) {
  const src = path.join(ROOT, MIGRATIONS_DIR);
  const dest = path.join(ROOT, outDir, 'migrations');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const files = fs.readdirSync(src).filter((f) => f.endsWith('.sql')).sort();
  for (const f of files) fs.copyFileSync(path.join(src, f), path.join(dest, f));
  return files.length;
}

function runVite() {
  const viteBin = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const res = spawnSync(process.execPath, [viteBin, 'build', '-c', RENDERER_CONFIG], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`vite build failed (exit ${res.status ?? res.signal})`);
}

export async function build(argv = []) {
  const opts = parseArgs(argv);
  const log = (line) => {
    if (!opts.quiet) process.stdout.write(`${line}\n`);
  };
  const want = (name) => !opts.only || opts.only.has(name);
  const exists = (rel) => fs.existsSync(path.join(ROOT, rel));
  const skipped = [];
  const skip = (what) => {
    if (opts.strict) throw new Error(`${what} is missing (--strict)`);
    skipped.push(what);
    log(`build: skipped ${what} (entry not found)`);
  };

  return withBuildLock(async () => {
    const started = Date.now();
    const workers = findWorkers();
    const built = [];
    for (const host of HOSTS) {
      if (!want(host.name)) continue;
      if (!exists(host.entry)) {
        skip(host.entry);
        continue;
      }
      const outDir = path.join(ROOT, host.outDir);
      // A fresh folder: a worker or migration removed from the sources must not linger in the bundle.
      fs.rmSync(outDir, { recursive: true, force: true });
      const entryPoints = { main: host.entry };
      if (host.workers) for (const w of workers) entryPoints[w.outName.replace(/\.js$/, '')] = w.entry;
      await esbuild.build({ ...nodeBundleOptions(opts), entryPoints, outdir: outDir, entryNames: '[name]' });
      const n = copyMigrations(host.outDir);
      built.push(`${host.outDir}/main.js (+${Object.keys(entryPoints).length - 1} workers, ${n} migrations)`);
      if (host.name === 'electron') {
        if (exists(PRELOAD.entry)) {
          // Sandboxed preloads are run by Electron's own loader: one CommonJS file that may require only
          // 'electron' (and a few built-ins), so everything else is inlined and nothing Node-only is allowed.
          await esbuild.build({
            entryPoints: [PRELOAD.entry],
            outfile: path.join(ROOT, PRELOAD.outFile),
            bundle: true,
            platform: 'browser',
            format: 'cjs',
            target: 'chrome130',
            external: ['electron'],
            sourcemap: opts.production ? false : 'linked',
            logLevel: 'warning',
            absWorkingDir: ROOT,
          });
          built.push(PRELOAD.outFile);
        } else skip(PRELOAD.entry);
      }
    }
    if (opts.renderer && want('renderer')) {
      if (exists(RENDERER_CONFIG)) {
        runVite();
        built.push('dist/renderer/');
      } else skip(RENDERER_CONFIG);
    }
    const manifest = writeBuildManifest({ root: ROOT, outFile: path.join(DIST, 'build-manifest.json') });
    built.push(`dist/build-manifest.json (${manifest.models.length} model files)`);
    log(`build: ${built.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { built, skipped, workers };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`build: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
