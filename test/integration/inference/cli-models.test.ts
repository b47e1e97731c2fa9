/** `gliofuse models …`, `genomics validate` and `evaluate …` as a user runs them: a real process, exit codes, stdout/stderr. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { Db } from '../../../src/main/store/db.ts';
import { buildTestPackage } from './fixtures/test-package.ts';

let root: string;
let src: string;
let env: NodeJS.ProcessEnv;

function cli(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'main', 'cli', 'main.ts'), ...args], { cwd: REPO_ROOT, env, input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-cli-models-'));
  src = buildTestPackage(path.join(root, 'download')).dir;
  env = { ...process.env, GLIOFUSE_DATA_DIR: path.join(root, 'data'), GLIOFUSE_DB: path.join(root, 'data', 'gliofuse.sqlite'), GLIOFUSE_USER: 'admin' };
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('models verify DIR, import (audited when a database exists), list, verify ID; a tampered copy exits 1', async () => {
  const v = cli(['--json', 'models', 'verify', src]);
  assert.equal(v.code, 0, v.err);
  assert.equal((JSON.parse(v.out) as { verification: { ok: boolean } }[])[0]?.verification.ok, true);

  const setup = cli(['user', 'add', '--name', 'admin', '--role', 'admin', '--password-stdin'], 'correct horse battery staple\n');
  assert.equal(setup.code, 0, setup.err);
  const imp = cli(['--json', 'models', 'import', src]);
  assert.equal(imp.code, 0, imp.err);
  const res = JSON.parse(imp.out) as { id: string; dir: string; audited: boolean; digest: string };
  assert.equal(res.audited, true);
  assert.equal(res.dir, path.join(root, 'data', 'models', 'umeml-test-tiny'));
  const db = await Db.open(path.join(root, 'data', 'gliofuse.sqlite'));
  const ev = await db.all<{ action: string; entity_id: string; user_name: string; after_json: string }>("SELECT * FROM audit_events WHERE action = 'model.imported'");
  await db.close();
  assert.equal(ev.length, 1);
  assert.equal(ev[0]?.entity_id, 'umeml-test-tiny');
  assert.equal(ev[0]?.user_name, 'admin');
  assert.equal((JSON.parse(ev[0]?.after_json ?? '{}') as { digest: string }).digest, res.digest);

  const again = cli(['models', 'import', src]);
  assert.equal(again.code, 1);
  assert.match(again.err, /^gliofuse: Model package umeml-test-tiny is already installed \(version 0\.0\.1\); use --replace/);
  assert.equal(again.err.trim().split('\n').length, 1, 'one line on stderr');

  const list = cli(['models', 'list']);
  assert.equal(list.code, 0);
  assert.match(list.out, /umeml-test-tiny\t0\.0\.1\tuser\tverified/);

  fs.appendFileSync(path.join(root, 'data', 'models', 'umeml-test-tiny', 'umeml.onnx'), 'x');
  const bad = cli(['models', 'verify', 'umeml-test-tiny']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /umeml\.onnx: has \d+ bytes but the manifest lists/);
});

test('genomics validate: the public table with --row-id (exit 0), an invalid profile (exit 2), missing --row-id (exit 2)', () => {
  // The installed copy was tampered with by the previous test; use a data folder holding an untouched copy.
  const fresh = { ...env, GLIOFUSE_DATA_DIR: path.join(root, 'data2') };
  fs.cpSync(path.join(root, 'download'), path.join(root, 'data2', 'models'), { recursive: true });
  const run = (args: string[]) => { const save = env; env = fresh; try { return cli(args); } finally { env = save; } };
  const good = run(['--json', 'genomics', 'validate', sharedFile('tcga', 'all_dataset.csv'), '--row-id', 'TCGA-06-0174', '--model', 'umeml-test-tiny']);
  assert.equal(good.code, 0, good.err);
  const rep = JSON.parse(good.out) as { ok: boolean; observed: number; rowId: string };
  assert.deepEqual([rep.ok, rep.observed, rep.rowId], [true, 80, 'TCGA-06-0174']);
  const p = path.join(root, 'bad.csv');
  fs.writeFileSync(p, 'EGFR,1q\n5,x\n');
  const bad = run(['genomics', 'validate', p, '--model', 'umeml-test-tiny']);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /INVALID/);
  assert.match(bad.err, /^gliofuse: The genomic profile is invalid: EGFR CNV \(EGFR\): 5 is outside/);
  const multi = run(['genomics', 'validate', sharedFile('tcga', 'all_dataset.csv'), '--model', 'umeml-test-tiny']);
  assert.equal(multi.code, 2);
  assert.match(multi.err, /choose one with --row-id/);
});

test('evaluate survival / classification: JSON keys, bootstrap CIs, bad input exits 2', () => {
  const s = path.join(root, 's.csv');
  fs.writeFileSync(s, 'patient_id,time,event,risk\nA,1,1,3\nB,2,0,1\nC,3,1,2\nD,4,0,4\n');
  const r = cli(['--json', 'evaluate', 'survival', s]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  assert.deepEqual([j.c_index, j.n, j.events], [0.5, 4, 2]);
  const c = path.join(root, 'c.csv');
  fs.writeFileSync(c, 'patient_id,label,p_A,p_B,p_C\n1,A,0.6,0.3,0.1\n2,A,0.2,0.5,0.3\n3,B,0.1,0.7,0.2\n4,C,0.2,0.2,0.6\n5,C,0.4,0.4,0.2\n');
  const k = cli(['--json', 'evaluate', 'classification', c, '--bootstrap', '200', '--seed', '3']);
  assert.equal(k.code, 0, k.err);
  const kj = JSON.parse(k.out) as { accuracy: number; balanced_accuracy: number; auc_macro: number; auc_micro: number; n: number; classes: string[]; ci95: { accuracy: [number, number]; reps: number } };
  assert.equal(kj.accuracy, 0.6);
  assert.equal(kj.auc_micro, 0.74);
  assert.deepEqual(kj.classes, ['A', 'B', 'C']);
  assert.equal(kj.ci95.reps, 200);
  assert.ok(kj.ci95.accuracy[0] <= 0.6 && 0.6 <= kj.ci95.accuracy[1]);
  fs.writeFileSync(s, 'patient_id,time,event\nA,1,1\n');
  const bad = cli(['evaluate', 'survival', s]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^gliofuse: survival predictions has no "risk" column/);
});
