/**
 * `gliofuse batch merge` and `gliofuse validate` on real batch outputs (four TCGA genomic profiles analysed in two
 * shards by the real CLI), and every refusal of issue 16.6: a manifest row naming a missing file, a missing shard,
 * a failed case, a case in two shards, a shard from another model package, a folder that is not a batch output, a
 * labels file with an unknown patient or a wrong column. Each is one line naming the file (and line), exit 2, and
 * leaves no cohort or study folder behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/shared-data.ts';
import { tempDir } from '../../helpers/temp-services.ts';
import { writeTcgaCohort } from './tcga-cohort.ts';
import { evaluateClassification, evaluateSurvival } from '../../../src/main/evaluate/evaluate.ts';
import type { ValidationStudy } from '../../../src/main/cohort/validate.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const dir = tempDir('gliofuse-merge-');
const PATIENTS = ['TCGA-06-0174', 'TCGA-26-1442', 'TCGA-HT-7470', 'TCGA-CS-4938'];
let labels = '';

function gliofuse(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const shardDir = (i: number) => path.join(dir, `shard-${i}`);
const copyDir = (from: string, to: string) => fs.cpSync(from, to, { recursive: true });

before(() => {
  const cohort = writeTcgaCohort(dir);
  labels = cohort.labels;
  fs.writeFileSync(path.join(dir, 'manifest.csv'), `case_id,genomics,row_id\n${PATIENTS.map((p) => `${p},profiles.csv,${p}`).join('\n')}\n`);
  for (const i of [0, 1]) {
    const db = path.join(shardDir(i), 'gliofuse.sqlite');
    fs.mkdirSync(shardDir(i), { recursive: true });
    assert.equal(gliofuse(['--db', db, 'user', 'add', '--name', 'batch', '--role', 'admin', '--password-stdin'], 'merge-test-operator-pw').code, 0);
    const r = gliofuse(['--db', db, '--as', 'batch', 'batch', path.join(dir, 'manifest.csv'), '--out', shardDir(i), '--shard', `${i}/2`]);
    assert.equal(r.code, 0, r.err);
  }
});

test('a manifest row naming a missing file is refused with its line before anything runs', () => {
  const m = path.join(dir, 'bad-manifest.csv');
  fs.writeFileSync(m, 'case_id,genomics,row_id\nTCGA-06-0174,profiles.csv,TCGA-06-0174\nTCGA-26-1442,nowhere.csv,TCGA-26-1442\n');
  const out = path.join(dir, 'bad-run');
  const r = gliofuse(['--db', path.join(shardDir(0), 'gliofuse.sqlite'), '--as', 'batch', 'batch', m, '--out', out]);
  assert.equal(r.code, 2);
  assert.equal(r.err, `gliofuse: batch manifest line 3: no genomics file at ${path.join(dir, 'nowhere.csv')}.\n`);
  assert.equal(fs.existsSync(out), false, 'no output folder');
});

test('merge writes cohort prediction files from complete shards', () => {
  const cohortDir = path.join(dir, 'cohort');
  const r = gliofuse(['--json', 'batch', 'merge', shardDir(1), shardDir(0), '--out', cohortDir]);
  assert.equal(r.code, 0, r.err);
  const summary = JSON.parse(r.out) as { cases: number; shards: { shard: string }[]; model: { id: string } };
  assert.equal(summary.cases, 4);
  assert.deepEqual(summary.shards.map((s) => s.shard), ['0/2', '1/2']);
  const surv = fs.readFileSync(path.join(cohortDir, 'survival.csv'), 'utf8').trim().split('\n');
  assert.equal(surv[0], 'patient_id,risk,risk_group,clinical_risk');
  assert.deepEqual(surv.slice(1).map((l) => l.split(',')[0]).sort(), [...PATIENTS].sort());
  // The merged risk is the case's result.json risk, to the last digit.
  const one = JSON.parse(fs.readFileSync(path.join(shardDir(0), 'TCGA-06-0174', 'result.json'), 'utf8')) as { survival: { risk: number } };
  assert.ok(surv.includes(surv.find((l) => l.startsWith('TCGA-06-0174,'))!) && surv.find((l) => l.startsWith('TCGA-06-0174,'))!.split(',')[1] === String(one.survival.risk));
  assert.match(fs.readFileSync(path.join(cohortDir, 'grade.csv'), 'utf8').split('\n')[0]!, /^patient_id,p_/);
});

test('merge refuses incomplete, duplicated and mixed shards, naming them, and writes nothing; refused cases are listed as not analysed', () => {
  const refuse = (dirs: string[], pattern: RegExp) => {
    const out = path.join(dir, `cohort-refused-${Math.random().toString(36).slice(2)}`);
    const r = gliofuse(['batch', 'merge', ...dirs, '--out', out]);
    assert.equal(r.code, 2, `${r.out}${r.err}`);
    assert.match(r.err, pattern);
    assert.equal(r.err.trim().split('\n').length, 1, 'one line');
    assert.equal(fs.existsSync(out), false, 'no cohort folder');
  };
  refuse([shardDir(0)], /^gliofuse: Incomplete: shard 1\/2 missing/);
  refuse([path.join(dir, 'nowhere')], /no such folder/);
  refuse([dir], /has no batch-summary-I-of-N\.json/);

  const failed = path.join(dir, 'shard-1-failed');
  copyDir(shardDir(1), failed);
  const sumFile = path.join(failed, 'batch-summary-1-of-2.json');
  const s = JSON.parse(fs.readFileSync(sumFile, 'utf8')) as { failed: number; cases: { caseId: string; status: string }[] };
  s.cases[0]!.status = 'failed'; s.failed = 1;
  fs.writeFileSync(sumFile, JSON.stringify(s));
  // A case the package refused is a result too: merged as "not analysed", with its reason, not a reason to refuse.
  const withFailed = path.join(dir, 'cohort-with-failed');
  const mf = gliofuse(['--json', 'batch', 'merge', shardDir(0), failed, '--out', withFailed]);
  assert.equal(mf.code, 0, mf.err);
  const cf = JSON.parse(fs.readFileSync(path.join(withFailed, 'cohort.json'), 'utf8')) as { cases: number; notAnalysed: { caseId: string }[] };
  assert.deepEqual(cf.notAnalysed.map((c) => c.caseId), [s.cases[0]!.caseId]);
  assert.equal(cf.cases, 3);
  assert.ok(!fs.readFileSync(path.join(withFailed, 'survival.csv'), 'utf8').includes(`${s.cases[0]!.caseId},`));

  const twice = path.join(dir, 'shard-0-again');
  copyDir(shardDir(0), twice);
  refuse([shardDir(0), twice, shardDir(1)], /Shard 0\/2 appears twice/);

  const other = path.join(dir, 'shard-1-other-model');
  copyDir(shardDir(1), other);
  const caseDir = fs.readdirSync(other).find((f) => fs.existsSync(path.join(other, f, 'result.json')))!;
  const resFile = path.join(other, caseDir, 'result.json');
  const res = JSON.parse(fs.readFileSync(resFile, 'utf8')) as { provenance: { packageDigest: string } };
  res.provenance.packageDigest = 'f'.repeat(64);
  fs.writeFileSync(resFile, JSON.stringify(res));
  refuse([shardDir(0), other], /^gliofuse: Mixed models: case .* \(package ffffffffffff…\)/);

  const gone = path.join(dir, 'shard-1-gone');
  copyDir(shardDir(1), gone);
  fs.rmSync(path.join(gone, caseDir, 'result.json'));
  refuse([shardDir(0), gone], new RegExp(`Incomplete: .*${caseDir}/result\\.json is missing`));
});

test('validate: the study equals gliofuse evaluate on its own files; bad labels files are refused with their line', () => {
  const cohortDir = path.join(dir, 'cohort');
  const bad = (text: string, pattern: RegExp) => {
    const f = path.join(dir, `labels-${Math.random().toString(36).slice(2)}.csv`);
    fs.writeFileSync(f, text);
    const out = path.join(dir, `study-refused-${Math.random().toString(36).slice(2)}`);
    const r = gliofuse(['validate', cohortDir, '--labels', f, '--out', out]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, pattern);
    assert.equal(fs.existsSync(out), false);
  };
  bad('patient_id,time,event\nTCGA-06-0174,100,1\nTCGA-XX-0000,50,0\n', /line 3: patient TCGA-XX-0000 is not in the cohort/);
  bad('patient_id,survival,event\nTCGA-06-0174,100,1\n', /unknown column survival/);
  bad('patient_id,time,event\nTCGA-06-0174,100,2\n', /line 2: event must be 1 \(death\) or 0 \(censored\)/);
  bad('patient_id,grade\nTCGA-06-0174,V\n', /line 2: grade "V" is not one of the package's grades/);

  const studyDir = path.join(dir, 'study');
  // The TCGA labels of the whole survival set: only the four merged patients may be listed.
  const mine = fs.readFileSync(labels, 'utf8').trim().split('\n').filter((l, i) => i === 0 || PATIENTS.includes(l.split(',')[0]!));
  const f = path.join(dir, 'labels-4.csv');
  fs.writeFileSync(f, `${mine.join('\n')}\n`);
  const r = gliofuse(['--json', '--as', 'qa', 'validate', cohortDir, '--labels', f, '--out', studyDir, '--bootstrap', '50']);
  assert.equal(r.code, 0, r.err);
  const study = JSON.parse(fs.readFileSync(path.join(studyDir, 'validation.json'), 'utf8')) as ValidationStudy;
  assert.equal(study.cohort.cases, 4);
  assert.equal(study.ranBy, 'qa');
  const surv = evaluateSurvival(fs.readFileSync(path.join(studyDir, 'survival.csv'), 'utf8'));
  assert.equal(study.survival!.cIndex, surv.c_index);
  const grade = evaluateClassification(fs.readFileSync(path.join(studyDir, 'grade.csv'), 'utf8'));
  assert.equal(study.grade!.accuracy, grade.accuracy);
  assert.equal(study.missing.unlabelled, 0);
  assert.ok(fs.readFileSync(path.join(studyDir, 'validation-report.pdf')).subarray(0, 5).toString('latin1') === '%PDF-');
  const again = gliofuse(['validate', cohortDir, '--labels', f, '--out', studyDir]);
  assert.equal(again.code, 2);
  assert.match(again.err, /exists and is not an empty folder/);
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));
