/**
 * Command-line handling for the app (no electron import): `--db PATH` / `--data-dir DIR` (like the CLI), and slide
 * files given as arguments — by the OS when the user opens a .svs with Gliofuse, or forwarded from a second
 * launch to the running instance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SLIDE_FILE_EXTENSIONS } from '../../shared/shell-events.ts';

export interface ShellArgs {
  db?: string;
  dataDir?: string;
  slidePaths: string[];
}

export function isSlidePath(p: string): boolean {
  const ext = path.extname(p).slice(1).toLowerCase();
  return (SLIDE_FILE_EXTENSIONS as readonly string[]).includes(ext);
}

/**
 * argv as Electron gives it (`process.argv`, or `argv` of the 'second-instance' event). Relative paths resolve
 * against `cwd` (the second instance's working directory). Slide paths must exist as files; anything else is
 * ignored, including the Chromium switches Electron adds.
 */
export function parseShellArgs(argv: readonly string[], cwd: string, exists: (p: string) => boolean = isFile): ShellArgs {
  const out: ShellArgs = { slidePaths: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const option = /^--(db|data-dir)(?:=(.*))?$/.exec(a);
    if (option) {
      const value = option[2] ?? argv[++i];
      if (value === undefined || value === '') continue;
      if (option[1] === 'db') out.db = path.resolve(cwd, value);
      else out.dataDir = path.resolve(cwd, value);
      continue;
    }
    if (a.startsWith('-')) continue;
    // macOS Finder adds -psn_... (already skipped); file URLs come from some Linux desktops' %U.
    let candidate = a;
    if (candidate.startsWith('file://')) {
      try {
        candidate = fileURLToPath(candidate);
      } catch {
        continue;
      }
    }
    if (!isSlidePath(candidate)) continue;
    const abs = path.resolve(cwd, candidate);
    if (exists(abs) && !out.slidePaths.includes(abs)) out.slidePaths.push(abs);
  }
  return out;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
