import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSums, readSums, recordTarget, verifyOpenSlideDir } from '../../../scripts/openslide-vendor.mjs';
import { REPO_ROOT } from '../../helpers/shared-data.ts';

test('SHA256SUMS parsing: comments, both sha256sum separators, and refusal of malformed or escaping lines', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const sums = parseSums(`# linux-x64: archive sha256:x\n${a}  linux-x64/libopenslide.so.1\n${b} *win32-x64/libopenslide-1.dll\n\n`);
  assert.deepEqual([...sums], [['linux-x64/libopenslide.so.1', a], ['win32-x64/libopenslide-1.dll', b]]);
  assert.throws(() => parseSums(`${a.slice(1)}  linux-x64/x`), /line 1/);
  assert.throws(() => parseSums(`${a}  libopenslide.so.1`), /line 1/);
  assert.throws(() => parseSums(`${a}  linux-x64/../../etc/passwd`), /outside/);
});

test('the committed SHA256SUMS parses', () => {
  assert.doesNotThrow(() => readSums(path.join(REPO_ROOT, 'vendor', 'openslide')));
});

test('record then verify: unchanged passes; changed, missing and unpinned files fail', () => {
  const vendor = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-vendor-'));
  try {
    fs.mkdirSync(path.join(vendor, 'linux-x64'));
    fs.writeFileSync(path.join(vendor, 'SHA256SUMS'), '# header kept\n');
    fs.writeFileSync(path.join(vendor, 'linux-x64', 'libopenslide.so.1'), 'library bytes');
    assert.equal(recordTarget(vendor, 'linux-x64', 'test-archive sha256:00'), 1);
    const text = fs.readFileSync(path.join(vendor, 'SHA256SUMS'), 'utf8');
    assert.match(text, /^# header kept\n# linux-x64: test-archive sha256:00\n[0-9a-f]{64} {2}linux-x64\/libopenslide\.so\.1\n$/);
    const dir = path.join(vendor, 'linux-x64');
    assert.deepEqual(verifyOpenSlideDir(dir, 'linux-x64', readSums(vendor)).problems, []);
    fs.writeFileSync(path.join(dir, 'libopenslide.so.1'), 'library bytez');
    assert.deepEqual(verifyOpenSlideDir(dir, 'linux-x64', readSums(vendor)).problems, ['sha256 mismatch: linux-x64/libopenslide.so.1']);
    fs.writeFileSync(path.join(dir, 'extra.so'), 'x');
    fs.rmSync(path.join(dir, 'libopenslide.so.1'));
    assert.deepEqual(verifyOpenSlideDir(dir, 'linux-x64', readSums(vendor)).problems, ['missing: linux-x64/libopenslide.so.1', 'not pinned in SHA256SUMS: linux-x64/extra.so']);
    assert.match(verifyOpenSlideDir(dir, 'win32-x64', readSums(vendor)).problems[0]!, /pins no files for win32-x64/);
    // Re-recording replaces the target's lines instead of appending duplicates.
    fs.rmSync(path.join(dir, 'extra.so'));
    fs.writeFileSync(path.join(dir, 'libopenslide.so.1'), 'v2');
    recordTarget(vendor, 'linux-x64', 'second sha256:11');
    assert.equal(readSums(vendor).size, 1);
    assert.equal(fs.readFileSync(path.join(vendor, 'SHA256SUMS'), 'utf8').match(/# linux-x64:/g)?.length, 1);
  } finally {
    fs.rmSync(vendor, { recursive: true, force: true });
  }
});
