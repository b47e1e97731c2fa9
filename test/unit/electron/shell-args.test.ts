import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSlidePath, parseShellArgs } from '../../../src/main/electron/shell-args.ts';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-args-'));
  for (const f of ['a.svs', 'B.NDPI', 'c.tiff', 'notes.txt']) fs.writeFileSync(path.join(tmp, f), 'x');
  fs.mkdirSync(path.join(tmp, 'folder.svs'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('slide extensions are recognised case-insensitively', () => {
  for (const p of ['x.svs', 'x.NDPI', 'x.mrxs', 'x.scn', 'x.tif', 'x.TIFF']) assert.equal(isSlidePath(p), true, p);
  for (const p of ['x.txt', 'x.svs.bak', 'svs', 'x.jpeg']) assert.equal(isSlidePath(p), false, p);
});

test('a packaged launch with a file and options: existing slide files only, relative to cwd', () => {
  const argv = ['/opt/Gliofuse/gliofuse', '--db', 'my.sqlite', 'a.svs', 'missing.svs', 'notes.txt', 'folder.svs', '--enable-features=X', `--data-dir=${tmp}/data`, 'B.NDPI', 'a.svs'];
  const parsed = parseShellArgs(argv, tmp);
  assert.equal(parsed.db, path.join(tmp, 'my.sqlite'));
  assert.equal(parsed.dataDir, path.join(tmp, 'data'));
  assert.deepEqual(parsed.slidePaths, [path.join(tmp, 'a.svs'), path.join(tmp, 'B.NDPI')]);
});

test('a development launch (electron . file) and file:// URLs from desktops', () => {
  const parsed = parseShellArgs(['/usr/bin/electron', '.', pathToFileURL(path.join(tmp, 'c.tiff')).href], '/');
  assert.deepEqual(parsed.slidePaths, [path.join(tmp, 'c.tiff')]);
  assert.equal(parsed.db, undefined);
});

test('an option without a value is ignored, not taken from the next flag', () => {
  const parsed = parseShellArgs(['exe', '--db'], tmp);
  assert.equal(parsed.db, undefined);
});
