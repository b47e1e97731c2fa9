/**
 * Start-up check of an installation against its build manifest (written by scripts/build-manifest.mjs into
 * dist/build-manifest.json, which ships inside app.asar). Every shipped model file must be present with the
 * recorded size and sha256, and nothing unlisted may sit in the shipped models folder — a swapped, edited or
 * added model is an integrity failure, reported before any model is used. No electron import: the shell calls it
 * with its paths, tests call it with theirs.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { GliofuseError } from '../../shared/errors.ts';

export const BuildManifest = z.object({
  schemaVersion: z.literal(1),
  product: z.string(),
  version: z.string().min(1),
  commit: z.string().min(1),
  commitDirty: z.boolean().nullable(),
  buildDate: z.iso.datetime(),
  /** Top-level folders of models/ that are not shipped (the training recipe). */
  modelsExcluded: z.array(z.string()),
  models: z.array(
    z.object({
      path: z.string().regex(/^[^/\\][^\\]*$/, 'a relative path with / separators'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.number().int().nonnegative(),
    }),
  ),
  /** The tile encoder shipped in resources/encoders (issue 13.1); absent in manifests from before it was bundled. */
  encoders: z.array(z.object({ path: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })).optional(),
});
export type BuildManifest = z.infer<typeof BuildManifest>;

export type IntegrityProblem =
  | { kind: 'missing'; path: string }
  | { kind: 'size'; path: string; expected: number; actual: number }
  | { kind: 'sha256'; path: string; expected: string; actual: string }
  | { kind: 'unexpected'; path: string };

export interface IntegrityReport {
  ok: boolean;
  manifest: Pick<BuildManifest, 'version' | 'commit' | 'buildDate'>;
  checkedFiles: number;
  checkedBytes: number;
  problems: IntegrityProblem[];
}

/** Same exclusions as scripts/build-manifest.mjs (editor and Python litter is never shipped or checked). */
const JUNK = new Set(['__pycache__', '.DS_Store', '.pytest_cache', 'Thumbs.db', '.gitkeep']);

export function readBuildManifest(file: string): BuildManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new GliofuseError('INTEGRITY', `The build manifest ${file} is missing; reinstall Gliofuse.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GliofuseError('INTEGRITY', `The build manifest ${file} is not valid JSON; reinstall Gliofuse.`);
  }
  const parsed = BuildManifest.safeParse(json);
  if (!parsed.success) throw new GliofuseError('INTEGRITY', `The build manifest ${file} is malformed (${parsed.error.issues[0]?.message ?? 'invalid'}); reinstall Gliofuse.`);
  return parsed.data;
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function listFiles(root: string, excludedTop: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const ent of entries) {
      if (JUNK.has(ent.name) || ent.name.endsWith('.pyc')) continue;
      if (!rel && excludedTop.includes(ent.name)) continue;
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p, r);
      else out.push(r);
    }
  };
  walk(root, '');
  return out.sort();
}

/** Hashes every listed model file under `modelsRoot` and lists unlisted files. Never throws for a bad file. */
export async function verifyModels(manifest: BuildManifest, modelsRoot: string): Promise<IntegrityReport> {
  const problems: IntegrityProblem[] = [];
  let checkedFiles = 0;
  let checkedBytes = 0;
  const listed = new Set<string>();
  for (const m of manifest.models) {
    listed.add(m.path);
    const file = path.join(modelsRoot, ...m.path.split('/'));
    let size: number;
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      problems.push({ kind: 'missing', path: m.path });
      continue;
    }
    if (size !== m.bytes) {
      problems.push({ kind: 'size', path: m.path, expected: m.bytes, actual: size });
      continue;
    }
    const actual = await sha256Of(file);
    checkedFiles++;
    checkedBytes += size;
    if (actual !== m.sha256) problems.push({ kind: 'sha256', path: m.path, expected: m.sha256, actual });
  }
  for (const rel of listFiles(modelsRoot, manifest.modelsExcluded)) {
    if (!listed.has(rel)) problems.push({ kind: 'unexpected', path: rel });
  }
  return {
    ok: problems.length === 0,
    manifest: { version: manifest.version, commit: manifest.commit, buildDate: manifest.buildDate },
    checkedFiles,
    checkedBytes,
    problems,
  };
}

/** Reads the manifest and verifies the models; a missing or malformed manifest throws GliofuseError('INTEGRITY'). */
export async function checkInstallation(opts: { manifestPath: string; modelsRoot: string }): Promise<IntegrityReport> {
  return verifyModels(readBuildManifest(opts.manifestPath), opts.modelsRoot);
}

/** One line per problem, for a dialog or a log. */
export function describeProblems(report: IntegrityReport, max = 8): string {
  const lines = report.problems.slice(0, max).map((p) => {
    switch (p.kind) {
      case 'missing':
        return `missing: ${p.path}`;
      case 'size':
        return `changed size: ${p.path} (${p.actual} bytes, expected ${p.expected})`;
      case 'sha256':
        return `changed content: ${p.path} (sha256 ${p.actual.slice(0, 12)}…, expected ${p.expected.slice(0, 12)}…)`;
      case 'unexpected':
        return `not part of this build: ${p.path}`;
    }
  });
  if (report.problems.length > max) lines.push(`… and ${report.problems.length - max} more`);
  return lines.join('\n');
}
