/** `gliofuse evaluate survival|classification FILE` and `evaluate package ID` (docs/evaluation.md). No database needed. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { GliofuseError, badInput } from '../../../shared/errors.ts';
import { DEFAULT_SEED, evaluateClassification, evaluateSurvival, type ClassificationReport, type SurvivalReport } from '../../evaluate/evaluate.ts';
import { defaultTcgaDir, evaluatePackage, type PackageEvaluation } from '../../evaluate/package-eval.ts';
import { cliModelRegistry } from './models.ts';

function wholeNumber(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw badInput(`${name} must be a whole number (got "${v}").`);
    return Number(v);
  };
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw badInput(`Cannot read ${file}.`);
  }
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(4));
const ci = (c: [number | null, number | null] | undefined) => (c ? ` (95% CI ${f3(c[0])}–${f3(c[1])})` : '');

function survivalText(r: SurvivalReport): string {
  const lines = [`c-index ${f3(r.c_index)}${ci(r.ci95?.c_index)}  n=${r.n} events=${r.events}`];
  if (r.groups) lines.push(`per ${r.groups.by}: mean ${f3(r.groups.c_index_mean)} ± ${f3(r.groups.c_index_sd)} over ${r.groups.values.length} groups`);
  return lines.join('\n');
}

function classificationText(r: ClassificationReport): string {
  const lines = [
    `accuracy ${f3(r.accuracy)}${ci(r.ci95?.accuracy)}`,
    `balanced accuracy ${f3(r.balanced_accuracy)}${ci(r.ci95?.balanced_accuracy)}`,
    `AUC macro ${f3(r.auc_macro)}${ci(r.ci95?.auc_macro)}`,
    `AUC micro ${f3(r.auc_micro)}${ci(r.ci95?.auc_micro)}`,
    `n=${r.n} classes=${r.classes.join(',')}`,
  ];
  if (r.groups) lines.push(`per ${r.groups.by} (mean ± sd over ${r.groups.values.length}): accuracy ${f3(r.groups.mean.accuracy)} ± ${f3(r.groups.sd.accuracy)}, AUC micro ${f3(r.groups.mean.auc_micro)} ± ${f3(r.groups.sd.auc_micro)}`);
  return lines.join('\n');
}

function packageText(r: PackageEvaluation): string {
  const lines = [`${r.model.id} ${r.model.version} — ${r.protocol}`];
  if (r.survival) lines.push(`survival: c-index ${f3(r.survival.c_index_mean)} ± ${f3(r.survival.c_index_sd)} over ${r.survival.folds.length} folds (${r.survival.patients} patients)`);
  if (r.grade) lines.push(`grade: accuracy ${f3(r.grade.mean.accuracy)}, AUC micro ${f3(r.grade.mean.auc_micro)}, AUC macro ${f3(r.grade.mean.auc_macro)} over ${r.grade.folds.length} folds (${r.grade.patients} patients)`);
  if (r.class) lines.push(`6-class diagnosis: accuracy ${f3(r.class.mean.accuracy)} ± ${f3(r.class.sd.accuracy)}, AUC micro ${f3(r.class.mean.auc_micro)}, AUC macro ${f3(r.class.mean.auc_macro)} over ${r.class.folds} folds (${r.class.patients} patients)`);
  for (const x of r.references) {
    const name = x.label ? `${x.label} [${x.id}]` : x.id;
    if (x.task === 'survival') {
      const p = x.pairedVsUmeml;
      lines.push(`reference ${name}: c-index ${f3(x.mean.c_index)} ± ${f3(x.sd.c_index)} over ${x.folds.length} folds` +
        (p ? `; UMEML − reference ${p.mean_delta === null ? 'n/a' : (p.mean_delta >= 0 ? '+' : '') + p.mean_delta.toFixed(4)} ± ${f3(p.sd_delta)}, UMEML ahead on ${p.umeml_wins} of ${p.splits} folds` : ''));
    } else {
      lines.push(`reference ${name}: grade accuracy ${f3(x.mean.accuracy)} ± ${f3(x.sd.accuracy)}, AUC micro ${f3(x.mean.auc_micro)} ± ${f3(x.sd.auc_micro)} over ${x.folds.length} folds`);
    }
  }
  for (const c of r.comparisons) {
    if (c.matches === null) continue;
    lines.push(`${c.matches ? 'ok ' : 'MISMATCH'} ${c.metric}: evaluated ${f3(c.evaluated)} vs manifest ${f3(c.manifest)}`);
  }
  return lines.join('\n');
}

export function registerEvaluateCommands(program: Command, cli: CliContext): void {
  const ev = program.command('evaluate').description('metrics from prediction files (c-index, accuracy, AUC) and package re-evaluation');
  const common = (c: Command) => c
    .option('--bootstrap <n>', 'add 95% percentile-bootstrap intervals from N resamples of patients', wholeNumber('--bootstrap'), 0)
    .option('--seed <n>', 'bootstrap seed', wholeNumber('--seed'), DEFAULT_SEED)
    .option('--by <column>', 'also report per group of this column (e.g. fold) with mean ± sd');

  common(ev.command('survival')
    .description('Harrell c-index; CSV columns patient_id,time,event,risk (event 1 = death, higher risk = worse)')
    .argument('<file>', 'CSV file'))
    .action((file: string, o: { bootstrap: number; seed: number; by?: string }) => {
      const r = evaluateSurvival(readFile(file), { bootstrap: o.bootstrap, seed: o.seed, by: o.by });
      cli.out(r, () => survivalText(r));
    });

  common(ev.command('classification')
    .description('accuracy, balanced accuracy, AUC macro/micro; CSV columns patient_id,label,p_<class>…')
    .argument('<file>', 'CSV file'))
    .action((file: string, o: { bootstrap: number; seed: number; by?: string }) => {
      const r = evaluateClassification(readFile(file), { bootstrap: o.bootstrap, seed: o.seed, by: o.by });
      cli.out(r, () => classificationText(r));
    });

  ev.command('package')
    .description("re-evaluate a package's out-of-fold predictions (labels joined from the TCGA tables) against its manifest; exit 1 on a mismatch")
    .argument('<id>', 'installed package id')
    .option('--data <dir>', 'folder with all_dataset.csv and grade_data.csv (default: ../shared/data/tcga)')
    .action(async (id: string, o: { data?: string }) => {
      const pkg = await cliModelRegistry().get(id);
      const r = evaluatePackage(pkg, o.data ? path.resolve(o.data) : defaultTcgaDir());
      cli.out(r, () => packageText(r));
      if (!r.ok) {
        const bad = r.comparisons.filter((c) => c.matches === false).map((c) => `${c.metric} ${f3(c.evaluated)} vs ${f3(c.manifest)}`);
        throw new GliofuseError('INTEGRITY', `The manifest's metrics do not match the re-evaluation: ${bad.join('; ')}.`);
      }
    });
}
