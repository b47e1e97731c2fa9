/**
 * Cohort scale (docs/cohort.md): `gliofuse batch merge OUT_DIR... --out COHORT_DIR` and
 * `gliofuse validate COHORT_DIR --labels LABELS.csv --out STUDY_DIR`. File-to-file commands like `evaluate`: no
 * database is opened; the study names who ran it (--as, GLIOFUSE_USER or the OS login name).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { badInput } from '../../../shared/errors.ts';
import { mergeShards } from '../../cohort/merge.ts';
import { runValidation, STUDY_FILES, type ValidationStudy } from '../../cohort/validate.ts';
import { renderStudyPdf } from '../../cohort/study-pdf.ts';
import { appVersion } from '../../version.ts';
import { cliModelRegistry } from './models.ts';

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(4));

function wholeNumber(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw badInput(`${name} must be a whole number (got "${v}").`);
    return Number(v);
  };
}

function studyText(s: ValidationStudy, dir: string): string {
  const lines = [`local validation of ${s.cohort.model.id} ${s.cohort.model.version} on ${s.cohort.cases} cases → ${dir}`];
  if (s.survival) {
    lines.push(`survival: c-index ${f3(s.survival.cIndex)} (95% CI ${f3(s.survival.cIndexCi[0])}–${f3(s.survival.cIndexCi[1])}), n=${s.survival.n} deaths=${s.survival.events}`);
    lines.push(`  time-dependent AUC ${s.survival.tdAuc.map((t) => `${t.years} y ${f3(t.auc)}`).join(', ')}`);
    if (s.survival.clinicalReference) lines.push(`  clinical reference (IDH + 1p/19q + age) c-index ${f3(s.survival.clinicalReference.cIndex)} on ${s.survival.clinicalReference.n}`);
  }
  if (s.grade) lines.push(`grade: accuracy ${f3(s.grade.accuracy)}, AUC micro ${f3(s.grade.aucMicro)}, n=${s.grade.n}`);
  if (s.molecularClass) lines.push(`class: accuracy ${f3(s.molecularClass.accuracy)}, AUC micro ${f3(s.molecularClass.aucMicro)}, n=${s.molecularClass.n}`);
  lines.push(`missing: ${s.missing.notAnalysed} not analysed, ${s.missing.unlabelled} without labels, ${s.missing.survival} without survival, ${s.missing.grade} without grade, ${s.missing.molecularClass} without class`);
  return lines.join('\n');
}

export function registerCohortCommands(program: Command, cli: CliContext): void {
  const batch = program.commands.find((c) => c.name() === 'batch');
  if (!batch) throw new Error('the batch command must be registered before its merge subcommand');
  batch.command('merge')
    .description('merge the output folders of a batch\'s shards into cohort prediction files (survival, grade, class)')
    .argument('<outDirs...>', 'the --out folders of the shards (any order; a folder may hold several shards)')
    .option('--out <dir>', 'new cohort folder (must not exist or be empty)')
    .action((outDirs: string[], o: { out?: string }) => {
      // Global options are parsed anywhere on the line, so `batch` (which has its own --out) may have taken it.
      const out = o.out ?? (batch.opts() as { out?: string }).out;
      if (!out) throw badInput('batch merge needs --out COHORT_DIR.');
      const summary = mergeShards(outDirs, out);
      cli.out({ ...summary, dir: path.resolve(out) }, `merged ${summary.shards.length} shard${summary.shards.length > 1 ? 's' : ''}: ${summary.cases} cases of ${summary.model.id} ${summary.model.version}${summary.notAnalysed.length ? ` (${summary.notAnalysed.length} not analysed, listed in cohort.json)` : ''} → ${path.resolve(out)}`);
    });

  program.command('validate')
    .description('local validation study of merged predictions against your outcomes (JSON + PDF report)')
    .argument('<cohortDir>', 'a folder written by `gliofuse batch merge`')
    .requiredOption('--labels <file>', 'CSV: patient_id and any of time,event (days; 1 = death), grade, class')
    .requiredOption('--out <dir>', 'new study folder (must not exist or be empty)')
    .option('--bootstrap <n>', 'bootstrap resamples for the 95% intervals', wholeNumber('--bootstrap'), 1000)
    .option('--seed <n>', 'bootstrap seed', wholeNumber('--seed'))
    .action(async (cohortDir: string, o: { labels: string; out: string; bootstrap: number; seed?: number }) => {
      if (!fs.existsSync(o.labels)) throw badInput(`No labels file at ${o.labels}.`);
      const ranBy = cli.opts().as ?? process.env.GLIOFUSE_USER ?? os.userInfo().username;
      let cohortModel: string | null = null;
      try {
        cohortModel = (JSON.parse(fs.readFileSync(path.join(cohortDir, 'cohort.json'), 'utf8')) as { model?: { id?: string } }).model?.id ?? null;
      } catch { /* runValidation names the problem */ }
      // The package's own cross-validated figures, side by side, when it is installed here (same id and digest).
      let packageCrossValidated: unknown = null;
      if (cohortModel) {
        try {
          const pkg = await cliModelRegistry().get(cohortModel);
          packageCrossValidated = (pkg.manifest as unknown as { metrics?: unknown }).metrics ?? null;
        } catch { packageCrossValidated = null; }
      }
      const study = runValidation(cohortDir, o.labels, o.out, { reps: o.bootstrap, ...(o.seed !== undefined ? { seed: o.seed } : {}), ranBy, packageCrossValidated });
      const pdf = await renderStudyPdf(study, appVersion());
      fs.writeFileSync(path.join(o.out, STUDY_FILES.pdf), pdf);
      cli.out({ ...study, dir: path.resolve(o.out), files: STUDY_FILES }, () => studyText(study, path.resolve(o.out)));
    });
}
