/** The SHA256SUMS check of test/helpers/shared-data.ts really notices a changed, a truncated and a missing file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { sharedDataMismatches, SHARED_DATA } from '../helpers/shared-data.ts';

test('the shared data beside the repository matches its SHA256SUMS', () => {
  assert.deepEqual(sharedDataMismatches(SHARED_DATA), []);
});

test('a changed, truncated or missing file is named', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-sums-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
  fs.mkdirSync(path.join(dir, 'tcga'));
  fs.writeFileSync(path.join(dir, 'tcga', 'a.csv'), 'id,x\n1,2\n');
  fs.writeFileSync(path.join(dir, 'b.csv'), 'id,x\n1,2\n');
  fs.writeFileSync(path.join(dir, 'SHA256SUMS'),
    `${sha('id,x\n1,2\n')}  ./tcga/a.csv\n${sha('id,x\n1,2\n3,4\n')}  ./b.csv\n${sha('x')}  ./gone.csv\n`);
  assert.deepEqual(sharedDataMismatches(dir).map((s) => s.split(' ')[0]), ['./b.csv', './gone.csv']);
  fs.writeFileSync(path.join(dir, 'b.csv'), 'id,x\n1,2\n3,4\n');
  fs.truncateSync(path.join(dir, 'tcga', 'a.csv'), 3);
  assert.deepEqual(sharedDataMismatches(dir).map((s) => s.split(' ')[0]), ['./tcga/a.csv', './gone.csv']);
});
