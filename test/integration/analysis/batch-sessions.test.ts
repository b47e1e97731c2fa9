/**
 * `gliofuse batch` over three genomics-only cases opens the UMEML session once in its analysis worker and reuses
 * it for the other two (issue 16, deliverable 4); the batch summary reports the worker's counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE } from './fixtures/analysis-package.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');

test('a batch of three cases opens one UMEML session and reuses it twice', () => {
  const dir = tempDir('gliofuse-batch-sessions-');
  const data = path.join(dir, 'data');
  buildAnalysisPackage(path.join(data, 'models'), { id: 'umeml-test-batch-sessions', validatedModalities: ['genomics', 'clinical'], seed: 5 });
  const env = { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: data, GLIOFUSE_ENCODER_PATH: ENCODER_FILE };
  const gf = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env, timeout: 300_000 });
  const dbPath = path.join(dir, 'gf.sqlite');
  assert.equal(gf(['--db', dbPath, 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).status, 0);
  const all = sharedFile('tcga', 'all_dataset.csv');
  fs.writeFileSync(path.join(dir, 'cases.csv'), ['case_id,slide,genomics,row_id', `S-0174,,${all},TCGA-06-0174`, `S-1442,,${all},TCGA-26-1442`, `S-7470,,${all},TCGA-HT-7470`].join('\n'));
  const r = gf(['--db', dbPath, '--as', 'root', '--json', 'batch', path.join(dir, 'cases.csv'), '--out', path.join(dir, 'out')]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { succeeded: number; sessions: Record<string, number> | null };
  assert.equal(summary.succeeded, 3);
  assert.deepEqual(summary.sessions, { umemlOpened: 1, umemlReused: 2, encoderPoolsStarted: 0, encoderPoolsReused: 0 });
});
