/**
 * Model packages on disk: discovery in the model folders, verification, and import into the user's model folder.
 *
 * A package is trusted only after: manifest.json parses and passes the zod schema; every listed file exists as a
 * regular file inside the package, has the listed size and the listed sha256 (streamed, so a multi-GB encoder does
 * not sit in memory), and no file in the folder is left unlisted (docs/model-package.md). Anything else refuses the
 * package with one sentence naming the file. The package digest is the sha256 of the manifest.json bytes: the manifest
 * pins every other file by hash, so this one value identifies the complete package (docs/inference.md).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ModelManifest, PackageId, describeManifestIssues, modelFileOf, type PackageFile } from '../../shared/model-manifest.ts';
import { GliofuseError, badInput, notFound } from '../../shared/errors.ts';
import { appRoot } from '../paths.ts';

export type PackageSource = 'bundled' | 'user';

export interface ModelFolder {
  dir: string;
  source: PackageSource;
}

export interface PackageProblem {
  file: string;
  problem: string;
}

export interface PackageCheck {
  dir: string;
  source: PackageSource | null;
  ok: boolean;
  /** One sentence naming the first problem (null when ok). */
  reason: string | null;
  problems: PackageProblem[];
  /** Files in the folder that the manifest does not list (each one refuses the package). */
  unlistedFiles: string[];
  /** Present whenever manifest.json parsed and passed the schema, even if a file then failed. */
  manifest: ModelManifest | null;
  /** sha256 of the manifest.json bytes (null if it could not be read). */
  digest: string | null;
  checkedAt: string;
}

/** A package that passed every check. */
export interface VerifiedPackage {
  id: string;
  dir: string;
  source: PackageSource | null;
  manifest: ModelManifest;
  digest: string;
  modelPath: string;
  check: PackageCheck;
}

export const MANIFEST_FILE = 'manifest.json';
/** Manifests are small; a huge one is a wrong file, not a package. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/** Where packages live: the app's bundled models first, then the user's imported ones (which take precedence). */
export function defaultModelFolders(dataDir: string, resourcesPath?: string): ModelFolder[] {
  return [
    { dir: resourcesPath ? path.join(resourcesPath, 'models') : path.join(appRoot(), 'models'), source: 'bundled' },
    { dir: userModelFolder(dataDir), source: 'user' },
  ];
}

export function userModelFolder(dataDir: string): string {
  return path.join(dataDir, 'models');
}

export async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

export function sha256Bytes(b: Uint8Array | string): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

function refuse(check: Omit<PackageCheck, 'ok' | 'reason' | 'checkedAt'>, problem: PackageProblem): PackageCheck {
  return { ...check, ok: false, reason: sentence(problem), problems: [problem, ...check.problems], checkedAt: new Date().toISOString() };
}

function sentence(p: PackageProblem): string {
  return `${p.file}: ${p.problem}`;
}

/** Lists files under dir (relative, forward slashes), skipping nothing: the caller decides what is unlisted. */
async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else out.push(r);
  }
  return out;
}

async function checkFile(dir: string, f: PackageFile): Promise<PackageProblem | null> {
  const full = path.join(dir, ...f.path.split('/'));
  let st: fs.Stats;
  try {
    st = await fsp.lstat(full);
  } catch {
    return { file: f.path, problem: 'listed in the manifest but missing from the package' };
  }
  // A symlink could point anywhere on the machine; packages are self-contained folders of regular files.
  if (st.isSymbolicLink()) return { file: f.path, problem: 'is a symbolic link; packages must contain regular files only' };
  if (!st.isFile()) return { file: f.path, problem: 'is not a regular file' };
  if (st.size !== f.bytes) return { file: f.path, problem: `has ${st.size} bytes but the manifest lists ${f.bytes} (incomplete or altered)` };
  const actual = await sha256File(full);
  if (actual !== f.sha256) return { file: f.path, problem: `sha256 ${actual.slice(0, 12)}… does not match the manifest's ${f.sha256.slice(0, 12)}… (altered)` };
  return null;
}

/**
 * Checks one package folder completely. Never throws for a bad package (returns ok: false with the reason);
 * throws only for a folder that does not exist.
 */
export async function checkPackage(dir: string, opts: { source?: PackageSource | null; expectFolderName?: boolean } = {}): Promise<PackageCheck> {
  const base: Omit<PackageCheck, 'ok' | 'reason' | 'checkedAt'> = { dir, source: opts.source ?? null, problems: [], unlistedFiles: [], manifest: null, digest: null };
  let dirStat: fs.Stats;
  try {
    dirStat = await fsp.stat(dir);
  } catch {
    throw notFound(`No model package folder at ${dir}.`);
  }
  if (!dirStat.isDirectory()) throw badInput(`${dir} is not a folder; a model package is a folder containing manifest.json.`);

  const manifestPath = path.join(dir, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    const st = await fsp.lstat(manifestPath);
    if (!st.isFile()) return refuse(base, { file: MANIFEST_FILE, problem: 'is not a regular file' });
    if (st.size > MAX_MANIFEST_BYTES) return refuse(base, { file: MANIFEST_FILE, problem: `is ${st.size} bytes, larger than any manifest should be` });
    bytes = await fsp.readFile(manifestPath);
  } catch {
    return refuse(base, { file: MANIFEST_FILE, problem: 'is missing, so this folder is not a model package' });
  }
  base.digest = sha256Bytes(bytes);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return refuse(base, { file: MANIFEST_FILE, problem: `is not valid JSON (${e instanceof Error ? e.message : 'parse error'})` });
  }
  const parsed = ModelManifest.safeParse(json);
  if (!parsed.success) return refuse(base, { file: MANIFEST_FILE, problem: `does not match the manifest schema: ${describeManifestIssues(parsed.error)}` });
  const manifest = parsed.data;
  base.manifest = manifest;
  if (opts.expectFolderName && path.basename(dir) !== manifest.id) {
    return refuse(base, { file: MANIFEST_FILE, problem: `declares id "${manifest.id}" but the folder is named "${path.basename(dir)}"` });
  }

  const problems: PackageProblem[] = [];
  for (const f of manifest.files) {
    const p = await checkFile(dir, f);
    if (p) problems.push(p);
  }
  const listed = new Set([MANIFEST_FILE, ...manifest.files.map((f) => f.path)]);
  base.unlistedFiles = (await walk(dir)).filter((f) => !listed.has(f)).sort();
  // An unlisted file is not covered by the digest, so the package would no longer be exactly what was verified.
  for (const f of base.unlistedFiles) problems.push({ file: f, problem: 'is in the package folder but not listed in the manifest (added or left over)' });
  base.problems = problems;
  const first = problems[0];
  if (first) return { ...base, ok: false, reason: sentence(first), checkedAt: new Date().toISOString() };
  return { ...base, ok: true, reason: null, checkedAt: new Date().toISOString() };
}

/** Verifies and returns the package, or throws INTEGRITY with the reason naming the file. */
export async function verifyPackage(dir: string, opts: { source?: PackageSource | null; expectFolderName?: boolean } = {}): Promise<VerifiedPackage> {
  const check = await checkPackage(dir, opts);
  return toVerified(check);
}

function toVerified(check: PackageCheck): VerifiedPackage {
  if (!check.ok || !check.manifest || !check.digest) {
    const name = check.manifest ? `${check.manifest.id} ${check.manifest.version}` : path.basename(check.dir);
    throw new GliofuseError('INTEGRITY', `Model package ${name} is refused: ${check.reason ?? 'verification failed'}. Reinstall it from a trusted copy.`, { dir: check.dir, problems: check.problems });
  }
  return {
    id: check.manifest.id,
    dir: check.dir,
    source: check.source,
    manifest: check.manifest,
    digest: check.digest,
    modelPath: path.join(check.dir, ...modelFileOf(check.manifest).path.split('/')),
    check,
  };
}

/** Sub-folders of a model folder that hold a manifest.json (others, e.g. models/training, are not packages). */
async function packageDirsIn(folder: string): Promise<string[]> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(folder, { withFileTypes: true });
  } catch {
    return []; // a model folder that does not exist yet (no imports) simply holds no packages
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && fs.existsSync(path.join(folder, e.name, MANIFEST_FILE)))
    .map((e) => path.join(folder, e.name))
    .sort();
}

interface CacheEntry {
  signature: string;
  check: PackageCheck;
}

/**
 * The set of model folders, with a verification cache keyed by each package's file sizes and mtimes, so listing
 * is cheap while any change to a package (even a touched file) triggers a full re-hash.
 */
export class ModelRegistry {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(readonly folders: readonly ModelFolder[]) {}

  get userFolder(): string | null {
    return this.folders.find((f) => f.source === 'user')?.dir ?? null;
  }

  private async signature(dir: string): Promise<string> {
    const files = await walk(dir).catch(() => [] as string[]);
    const parts = await Promise.all(files.sort().map(async (f) => {
      const st = await fsp.lstat(path.join(dir, f)).catch(() => null);
      return st ? `${f}:${st.size}:${st.mtimeMs}:${st.ino}` : `${f}:gone`;
    }));
    return parts.join('|');
  }

  async check(dir: string, source: PackageSource | null, opts: { fresh?: boolean } = {}): Promise<PackageCheck> {
    const sig = await this.signature(dir);
    const hit = this.cache.get(dir);
    if (!opts.fresh && hit && hit.signature === sig) return hit.check;
    const check = await checkPackage(dir, { source, expectFolderName: true });
    this.cache.set(dir, { signature: sig, check });
    return check;
  }

  /** Every package folder in every model folder, checked (bad ones included, with their reason). */
  async list(opts: { fresh?: boolean } = {}): Promise<PackageCheck[]> {
    const out: PackageCheck[] = [];
    for (const folder of this.folders) {
      for (const dir of await packageDirsIn(folder.dir)) out.push(await this.check(dir, folder.source, opts));
    }
    return out;
  }

  /**
   * The package with this id: a user-imported copy takes precedence over a bundled one (an imported update
   * replaces the shipped version). Throws NOT_FOUND, or INTEGRITY if the chosen copy fails verification.
   */
  async get(id: string, opts: { fresh?: boolean } = {}): Promise<VerifiedPackage> {
    const check = await this.find(id, opts);
    return toVerified(check);
  }

  /** Like get() but returns the check result of a failing package instead of throwing. */
  async find(id: string, opts: { fresh?: boolean } = {}): Promise<PackageCheck> {
    // The id becomes a path segment: only manifest-valid ids, so "../x" can never reach outside the model folders.
    if (!PackageId.safeParse(id).success) throw badInput(`"${id.slice(0, 80)}" is not a model package id (lowercase letters, digits and dashes).`);
    for (const folder of [...this.folders].reverse()) {
      const dir = path.join(folder.dir, id);
      if (fs.existsSync(path.join(dir, MANIFEST_FILE))) return this.check(dir, folder.source, opts);
    }
    throw notFound(`No model package "${id}" is installed (looked in ${this.folders.map((f) => f.dir).join(', ')}).`);
  }

  /**
   * Copies a verified package into the user model folder: into a temporary sibling folder first, re-verified there
   * (so a change during the copy is caught), then renamed into place in one step. An existing package with the
   * same id is only replaced with `replace` (it is swapped out, then deleted).
   */
  async import(srcDir: string, opts: { replace?: boolean } = {}): Promise<{ pkg: VerifiedPackage; replaced: { version: string; digest: string | null } | null }> {
    const dest = this.userFolder;
    if (!dest) throw new GliofuseError('INTERNAL', 'No user model folder is configured.');
    const src = await verifyPackage(path.resolve(srcDir));
    const finalDir = path.join(dest, src.id);
    if (path.resolve(src.dir) === path.resolve(finalDir)) throw badInput(`${srcDir} is already the installed copy of ${src.id}.`);
    let existing: PackageCheck | null = null;
    if (fs.existsSync(finalDir)) {
      existing = await checkPackage(finalDir, { source: 'user' }).catch(() => null);
      if (!opts.replace) {
        const what = existing?.manifest ? `version ${existing.manifest.version}` : 'an unreadable copy';
        throw new GliofuseError('CONFLICT', `Model package ${src.id} is already installed (${what}); use --replace to replace it with ${src.manifest.version}.`);
      }
    }
    await fsp.mkdir(dest, { recursive: true });
    const tmp = await fsp.mkdtemp(path.join(dest, `.import-${src.id}-`));
    try {
      await fsp.copyFile(path.join(src.dir, MANIFEST_FILE), path.join(tmp, MANIFEST_FILE));
      for (const f of src.manifest.files) {
        const to = path.join(tmp, ...f.path.split('/'));
        await fsp.mkdir(path.dirname(to), { recursive: true });
        await fsp.copyFile(path.join(src.dir, ...f.path.split('/')), to);
      }
      const copy = await checkPackage(tmp, { source: 'user' });
      if (!copy.ok) throw new GliofuseError('INTEGRITY', `The copy of ${src.id} failed verification (${copy.reason}); the source changed during the import or the disk is faulty. Nothing was installed.`);
      if (copy.digest !== src.digest) throw new GliofuseError('INTEGRITY', `The manifest of ${src.id} changed during the import; nothing was installed.`);
      if (existing || fs.existsSync(finalDir)) {
        const old = `${tmp}-replaced`;
        await fsp.rename(finalDir, old);
        try {
          await fsp.rename(tmp, finalDir);
        } catch (e) {
          await fsp.rename(old, finalDir).catch(() => undefined);
          throw e;
        }
        await fsp.rm(old, { recursive: true, force: true });
      } else {
        await fsp.rename(tmp, finalDir);
      }
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    this.cache.delete(finalDir);
    const pkg = await verifyPackage(finalDir, { source: 'user', expectFolderName: true });
    return { pkg, replaced: existing ? { version: existing.manifest?.version ?? 'unknown', digest: existing.digest } : null };
  }
}
