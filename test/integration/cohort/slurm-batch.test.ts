/**
 * Cohort scale on a real scheduler (issue 16): a single-node Slurm cluster (slurmctld + slurmd + munge, started by
 * test/slurm/cluster.sh) runs `gliofuse batch` as an `sbatch --array=0-3` job over the TCGA survival set (697
 * genomic profiles; the three TCGA region pyramids attached to their own patients). Each task writes its own store
 * and output folder. The test waits with Slurm's own commands, checks every case was done exactly once, re-submits
 * the array (everything skipped), merges the shards and runs a local validation study whose figures must equal
 * `gliofuse evaluate` run directly on the study's prediction files.
 *
 * Skipped, with the reason printed, only where the Slurm daemons are not installed or the test does not run as root
 * (CI installs slurm-wlm and munge and runs as root). GLIOFUSE_SLURM_TEST_ROWS=N limits the rows (local work only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { tempDir } from '../../helpers/temp-services.ts';
import { writeTcgaCohort } from './tcga-cohort.ts';
import { evaluateClassification, evaluateSurvival } from '../../../src/main/evaluate/evaluate.ts';
import type { ValidationStudy } from '../../../src/main/cohort/validate.ts';

const CLUSTER = path.join(REPO_ROOT, 'test', 'slurm', 'cluster.sh');
const SBATCH = path.join(REPO_ROOT, 'test', 'slurm', 'gliofuse-batch.sbatch');
const BIN = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const ROIS: Record<string, string> = {
  'TCGA-06-0174': 'TCGA-06-0174_roi_pyramid.tif', 'TCGA-26-1442': 'TCGA-26-1442_roi_pyramid.tif', 'TCGA-HT-7470': 'TCGA-HT-7470_roi_pyramid.tif',
};

const missing = ['slurmctld', 'slurmd', 'sbatch', 'munged'].filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
const skip = missing.length ? `Slurm not installed (${missing.join(', ')}; apt-get install slurm-wlm munge)`
  : process.getuid?.() !== 0 ? 'the test cluster runs its daemons as root' : false;
if (skip) console.log(`# skipping the Slurm batch test: ${skip}`);

function gliofuse(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a Slurm array job analyses the TCGA cohort once per case, resumes, merges, and validates', { skip, timeout: 20 * 60_000 }, async (t) => {
  const dir = tempDir('gliofuse-slurm-');
  const state = path.join(dir, 'cluster');
  t.after(() => {
    spawnSync('bash', [CLUSTER, 'stop', state]);
    if (!process.env.GLIOFUSE_KEEP_TEST_DIR) fs.rmSync(dir, { recursive: true, force: true });
  });
  const conf = execFileSync('bash', [CLUSTER, 'start', state], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const slurmEnv = { ...process.env, SLURM_CONF: conf };

  const cohort = writeTcgaCohort(dir);
  const limit = Number(process.env.GLIOFUSE_SLURM_TEST_ROWS ?? 0);
  const patients = limit > 0 ? [...new Set([...Object.keys(ROIS), ...cohort.patients.slice(0, limit)])] : cohort.patients;
  if (!limit) assert.equal(patients.length, 697, 'the survival set of the model card');
  const manifest = path.join(dir, 'manifest.csv');
  fs.writeFileSync(manifest, `case_id,slide,genomics,row_id\n${patients.map((p) => `${p},${ROIS[p] ? sharedFile('wsi', 'tcga-glioma-roi', ROIS[p]!) : ''},profiles.csv,${p}`).join('\n')}\n`);
  const pw = path.join(dir, 'operator.pw');
  fs.writeFileSync(pw, 'slurm-batch-operator-pw', { mode: 0o600 });
  const run = path.join(dir, 'run');
  const submit = () => {
    // --wait: sbatch returns when every task has ended (non-zero if any failed).
    const r = spawnSync('sbatch', ['--wait', '--parsable', '--array=0-3', `--chdir=${dir}`, `--output=${dir}/slurm-%A_%a.out`,
      `--export=ALL,GLIOFUSE_MANIFEST=${manifest},GLIOFUSE_OUT=${run},GLIOFUSE_USER=batch,GLIOFUSE_PASSWORD_FILE=${pw},GLIOFUSE_BIN=${process.execPath} ${BIN},GLIOFUSE_FROM_SOURCE=1`, SBATCH],
    { encoding: 'utf8', env: slurmEnv });
    const logs = () => fs.readdirSync(dir).filter((f) => f.startsWith('slurm-')).map((f) => `${f}:\n${fs.readFileSync(path.join(dir, f), 'utf8').slice(-2000)}`).join('\n');
    const jobId = r.stdout.trim().split(';')[0]!;
    const summaries = Array.from({ length: 4 }, (_, i) => {
      const f = path.join(run, `shard-${i}`, `batch-summary-${i}-of-4.json`);
      assert.ok(fs.existsSync(f), `task ${i} wrote no summary: ${r.stderr}\n${logs()}`);
      return JSON.parse(fs.readFileSync(f, 'utf8')) as { selected: number; succeeded: number; skipped: number; failed: number; cases: { caseId: string; status: string; error?: string }[] };
    });
    // Slurm's record of every task: a task exits 1 exactly when its shard has cases the package refused.
    const show = execFileSync('scontrol', ['show', 'job', jobId], { encoding: 'utf8', env: slurmEnv });
    const tasks = show.split(/\n\s*\n/).filter((b) => /ArrayTaskId=\d+/.test(b)).map((b) => ({
      i: Number(/ArrayTaskId=(\d+)/.exec(b)![1]), state: /JobState=(\S+)/.exec(b)![1], exit: /\bExitCode=(\S+)/.exec(b)![1],
    })).sort((a, b) => a.i - b.i);
    assert.deepEqual(tasks.map((t) => t.i), [0, 1, 2, 3], show);
    for (const t of tasks) {
      const failed = summaries[t.i]!.failed > 0;
      assert.deepEqual([t.state, t.exit], failed ? ['FAILED', '1:0'] : ['COMPLETED', '0:0'], `task ${t.i}\n${show}`);
    }
    assert.equal(r.status === 0, summaries.every((x) => x.failed === 0), 'sbatch --wait reports the tasks\' outcome');
    return summaries;
  };

  const first = submit();
  const done = first.flatMap((s) => s.cases.map((c) => c.caseId));
  assert.equal(done.length, patients.length, 'every manifest row is in exactly one shard');
  assert.deepEqual([...new Set(done)].sort(), [...patients].sort());
  // Refused: exactly the patients whose rows leave too many fields empty, each with the minimum-evidence reason.
  const refused = first.flatMap((s) => s.cases.filter((c) => c.status === 'failed'));
  assert.deepEqual(refused.map((c) => c.caseId).sort(), cohort.thin.filter((p) => patients.includes(p)).sort(), JSON.stringify(refused));
  for (const c of refused) assert.match(c.error ?? '', /fields are missing; umeml-gbmlgg-genomic-ref imputes at most/);
  for (let i = 0; i < 4; i++) assert.ok(fs.existsSync(path.join(run, `shard-${i}`, 'gliofuse.sqlite')), `task ${i} has its own store`);

  const again = submit();
  assert.ok(again.every((s, i) => s.succeeded === 0 && s.skipped === first[i]!.succeeded && s.failed === first[i]!.failed), 'a re-submitted array skips every completed case');

  const cohortDir = path.join(dir, 'cohort');
  const merged = gliofuse(['--json', 'batch', 'merge', ...[0, 1, 2, 3].map((i) => path.join(run, `shard-${i}`)), '--out', cohortDir]);
  assert.equal(merged.code, 0, merged.err);
  const cohortSummary = JSON.parse(merged.out) as { cases: number; notAnalysed: { caseId: string }[] };
  assert.equal(cohortSummary.cases + cohortSummary.notAnalysed.length, patients.length);
  assert.deepEqual(cohortSummary.notAnalysed.map((c) => c.caseId), refused.map((c) => c.caseId).sort());

  const studyDir = path.join(dir, 'study');
  const v = gliofuse(['--json', '--as', 'site.statistician', 'validate', cohortDir, '--labels', cohort.labels, '--out', studyDir, '--bootstrap', '200']);
  assert.equal(v.code, 0, v.err);
  const study = JSON.parse(fs.readFileSync(path.join(studyDir, 'validation.json'), 'utf8')) as ValidationStudy;
  assert.equal(study.ranBy, 'site.statistician');
  assert.equal(study.cohort.cases, patients.length - refused.length);
  assert.equal(study.missing.notAnalysed, refused.length);
  assert.equal(study.missing.unlabelled, 0);
  // The study's figures are gliofuse evaluate's on the same merged predictions.
  const surv = evaluateSurvival(fs.readFileSync(path.join(studyDir, 'survival.csv'), 'utf8'));
  assert.equal(study.survival!.cIndex, surv.c_index);
  assert.equal(study.survival!.n, surv.n);
  for (const [file, block] of [['grade.csv', study.grade!], ['class.csv', study.molecularClass!]] as const) {
    const r = evaluateClassification(fs.readFileSync(path.join(studyDir, file), 'utf8'));
    assert.equal(block.accuracy, r.accuracy, file);
    assert.equal(block.aucMicro, r.auc_micro, file);
    assert.equal(block.n, r.n, file);
  }
  if (!limit) {
    assert.ok(study.survival!.cIndex! > 0.75 && study.survival!.cIndex! < 0.95, `c-index ${study.survival!.cIndex} (apparent, the package saw these patients in training)`);
    assert.equal(study.survival!.n, 697 - refused.length);
  }
  const pdf = fs.readFileSync(path.join(studyDir, 'validation-report.pdf'));
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const text = spawnSync('pdftotext', ['-layout', path.join(studyDir, 'validation-report.pdf'), '-'], { encoding: 'utf8' }).stdout;
  assert.match(text, /Local validation report/);
  assert.match(text, /For Research Use Only\. Not for use in diagnostic procedures\./);
  assert.match(text, new RegExp(study.cohort.model.sha256));
  assert.match(text, /site\.statistician/);
});
