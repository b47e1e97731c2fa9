#!/usr/bin/env node
/**
 * The OpenSlide libraries Gliofuse ships live in vendor/openslide/<platform>-<arch>/ (platform as Node names it:
 * linux, win32, darwin) and are pinned by vendor/openslide/SHA256SUMS:
 *
 *   # comment lines start with '#'
 *   <64 hex>  linux-x64/libopenslide.so.1
 *
 * (`grep -v '^#' SHA256SUMS | sha256sum -c` checks it with coreutils.) The build verifies the copy inside the
 * package against this file (build/after-pack.mjs): every listed file of the target must be present with its hash,
 * and nothing unlisted may be shipped.
 *
 *   node scripts/openslide-vendor.mjs --verify [linux-x64 ...]   check vendor folders against SHA256SUMS
 *   node scripts/openslide-vendor.mjs --record linux-x64 --source "openslide-bin-4.0.1.2-linux-x86_64.tar.xz sha256:<hex>"
 *       (re)writes that folder's lines after you checked the release archive (vendor/openslide/README.md)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256File } from './build-manifest.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_VENDOR_DIR = path.join(ROOT, 'vendor', 'openslide');
export const SUMS_FILE = 'SHA256SUMS';
/** electron-builder arch names -> the folder suffix (same names). Node platform names for the prefix. */
export const TARGETS = ['linux-x64', 'linux-arm64', 'win32-x64', 'darwin-x64', 'darwin-arm64'];

/** Parses SHA256SUMS into Map<'<target>/<file>', hex>. Throws on a malformed line (a typo must not pass silently). */
export function parseSums(text) {
  const sums = new Map();
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const m = /^([0-9a-f]{64}) [ *]([A-Za-z0-9._+-]+\/[A-Za-z0-9._+/-]+)$/.exec(t);
    if (!m) throw new Error(`${SUMS_FILE} line ${i + 1} is not "<sha256>  <target>/<file>": ${t.slice(0, 80)}`);
    if (m[2].split('/').includes('..')) throw new Error(`${SUMS_FILE} line ${i + 1} names a path outside its folder`);
    sums.set(m[2], m[1]);
  });
  return sums;
}

export function readSums(vendorDir = DEFAULT_VENDOR_DIR) {
  const file = path.join(vendorDir, SUMS_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing`);
  return parseSums(fs.readFileSync(file, 'utf8'));
}

function listFiles(dir) {
  const out = [];
  const walk = (d, rel) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(path.join(d, ent.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/**
 * Checks the files in `dir` (a vendor folder, or the packaged resources/openslide) against the `target` lines of
 * `sums`. Returns the problems; an empty list means every pinned file is there, unchanged, and nothing else is.
 */
export function verifyOpenSlideDir(dir, target, sums) {
  const problems = [];
  const expected = [...sums.entries()].filter(([k]) => k.startsWith(`${target}/`)).map(([k, v]) => [k.slice(target.length + 1), v]);
  if (expected.length === 0) problems.push(`${SUMS_FILE} pins no files for ${target}`);
  if (!fs.existsSync(dir)) {
    problems.push(`${dir} does not exist`);
    return { problems, files: [] };
  }
  const present = listFiles(dir);
  for (const [rel, hex] of expected) {
    const f = path.join(dir, ...rel.split('/'));
    if (!present.includes(rel)) problems.push(`missing: ${target}/${rel}`);
    else if (sha256File(f) !== hex) problems.push(`sha256 mismatch: ${target}/${rel}`);
  }
  const listed = new Set(expected.map(([rel]) => rel));
  for (const rel of present) if (!listed.has(rel)) problems.push(`not pinned in ${SUMS_FILE}: ${target}/${rel}`);
  return { problems, files: present };
}

/** Rewrites the lines of one target from the files currently in its vendor folder. */
export function recordTarget(vendorDir, target, source) {
  const dir = path.join(vendorDir, target);
  if (!fs.existsSync(dir)) throw new Error(`${dir} does not exist; extract the OpenSlide library there first`);
  const file = path.join(vendorDir, SUMS_FILE);
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split(/\r?\n/) : [];
  const kept = old.filter((l) => !l.includes(` ${target}/`) && !l.startsWith(`# ${target}:`) && l.trim() !== '');
  const lines = listFiles(dir).map((rel) => `${sha256File(path.join(dir, ...rel.split('/')))}  ${target}/${rel}`);
  if (lines.length === 0) throw new Error(`${dir} is empty`);
  const out = [...kept, `# ${target}: ${source}`, ...lines, ''];
  fs.writeFileSync(file, out.join('\n'));
  return lines.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    if (args[0] === '--record') {
      const target = args[1];
      const si = args.indexOf('--source');
      if (!target || !TARGETS.includes(target) || si < 0 || !args[si + 1]) throw new Error(`usage: --record <${TARGETS.join('|')}> --source "<archive name> sha256:<hex>"`);
      const n = recordTarget(DEFAULT_VENDOR_DIR, target, args[si + 1]);
      process.stdout.write(`openslide-vendor: pinned ${n} files for ${target} in vendor/openslide/${SUMS_FILE}\n`);
    } else if (args[0] === '--verify') {
      const sums = readSums();
      const targets = args.slice(1).length ? args.slice(1) : TARGETS.filter((t) => fs.existsSync(path.join(DEFAULT_VENDOR_DIR, t)));
      let bad = 0;
      for (const t of targets) {
        const { problems, files } = verifyOpenSlideDir(path.join(DEFAULT_VENDOR_DIR, t), t, sums);
        if (problems.length) {
          bad++;
          process.stderr.write(`openslide-vendor: ${t}: ${problems.join('; ')}\n`);
        } else process.stdout.write(`openslide-vendor: ${t}: ${files.length} files ok\n`);
      }
      if (targets.length === 0) process.stdout.write('openslide-vendor: no vendor folders present\n');
      process.exit(bad ? 1 : 0);
    } else {
      throw new Error('usage: openslide-vendor.mjs --verify [target ...] | --record <target> --source "<archive> sha256:<hex>"');
    }
  } catch (err) {
    process.stderr.write(`openslide-vendor: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
