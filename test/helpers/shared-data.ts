/**
 * Real public test data lives in ../shared/data beside the repository and is never committed.
 * GLIOFUSE_SHARED_DATA overrides the location.
 *
 * Before any test uses it, every file listed in its SHA256SUMS is checked (once per process, ~0.1 s for the 41 MB):
 * a test against a changed or truncated copy would measure something else than the numbers it asserts.
 */
import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DATA = process.env.GLIOFUSE_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');
export const REPO_ROOT = repoRoot;

/** Files under `root` whose sha256 differs from `root/SHA256SUMS` (or that are missing); [] when all match. */
export function sharedDataMismatches(root: string): string[] {
  const sums = path.join(root, 'SHA256SUMS');
  if (!fs.existsSync(sums)) return [`${sums} (missing)`];
  const bad: string[] = [];
  for (const line of fs.readFileSync(sums, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (!m) continue;
    const file = path.join(root, m[2]!);
    if (!fs.existsSync(file)) { bad.push(`${m[2]} (missing)`); continue; }
    const h = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (h !== m[1]) bad.push(`${m[2]} (sha256 ${h.slice(0, 12)}…, expected ${m[1]!.slice(0, 12)}…)`);
  }
  return bad;
}

let verified = false;
function verifySharedData(): void {
  if (verified || !fs.existsSync(SHARED_DATA)) return; // a missing folder is reported by sharedFile, naming the file
  const bad = sharedDataMismatches(SHARED_DATA);
  if (bad.length) throw new Error(`test data in ${SHARED_DATA} does not match its SHA256SUMS: ${bad.join(', ')}`);
  verified = true;
}
verifySharedData();

export function sharedFile(...parts: string[]): string {
  const p = path.join(SHARED_DATA, ...parts);
  if (!fs.existsSync(p)) throw new Error(`test data missing: ${p} (expected ../shared/data beside the repository)`);
  return p;
}
