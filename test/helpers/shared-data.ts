/**
 * Real public test data lives in ../shared/data beside the repository and is never committed.
 * GLIOFUSE_SHARED_DATA overrides the location.
 */
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DATA = process.env.GLIOFUSE_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');
export const REPO_ROOT = repoRoot;

export function sharedFile(...parts: string[]): string {
  const p = path.join(SHARED_DATA, ...parts);
  if (!fs.existsSync(p)) throw new Error(`test data missing: ${p} (expected ../shared/data beside the repository)`);
  return p;
}
