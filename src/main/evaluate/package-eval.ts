/**
 * `gliofuse evaluate package ID`: re-evaluates a package's stored out-of-fold predictions and compares them with
 * the metrics its manifest claims. The package holds ids and predictions only; labels are joined here from the
 * TCGA tables (all_dataset.csv: `Survival months` is in days, event = 1 − `censored`; grade_data.csv: `Grade`
 * 2/3/4 → II/III/IV), as docs/model-package.md specifies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import type { VerifiedPackage } from '../inference/model-packages.ts';
import { appRoot } from '../paths.ts';
import { numberCell, parseCsv, requireColumn, type CsvTable } from './csv.ts';
import { classificationMetrics, harrellCIndex, meanSd, type SurvivalRecord } from './metrics.ts';
import { num } from './evaluate.ts';

/** Manifest figures are rounded when written; a re-evaluation "matches" within this absolute difference. */
export const MATCH_TOLERANCE = 5e-4;

/** ../shared/data/tcga beside the repository (GLIOFUSE_SHARED_DATA overrides the data root). */
export function defaultTcgaDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.GLIOFUSE_SHARED_DATA ?? path.resolve(appRoot(), '..', 'shared', 'data');
  return path.join(root, 'tcga');
}

interface Labels {
  survival: Map<string, { time: number; event: 0 | 1 }>;
  grade: Map<string, string>;
}

const ROMAN: Record<string, string> = { '2': 'II', '3': 'III', '4': 'IV' };

function readTable(dir: string, name: string): CsvTable {
  const p = path.join(dir, name);
  if (!fs.existsSync(p)) throw badInput(`Label table ${p} not found; point --data at the folder holding all_dataset.csv and grade_data.csv.`);
  return parseCsv(fs.readFileSync(p, 'utf8'), name);
}

export function loadTcgaLabels(dir: string): Labels {
  const all = readTable(dir, 'all_dataset.csv');
  const cId = requireColumn(all, 'TCGA ID', 'all_dataset.csv');
  const cCens = requireColumn(all, 'censored', 'all_dataset.csv');
  const cTime = requireColumn(all, 'Survival months', 'all_dataset.csv');
  const survival = new Map<string, { time: number; event: 0 | 1 }>();
  for (const r of all.rows) {
    const cens = numberCell(all, r, cCens, 'all_dataset.csv');
    survival.set((r.cells[cId] ?? '').trim(), { time: numberCell(all, r, cTime, 'all_dataset.csv'), event: cens === 1 ? 0 : 1 });
  }
  const gd = readTable(dir, 'grade_data.csv');
  const gId = requireColumn(gd, 'TCGA ID', 'grade_data.csv');
  const gGrade = requireColumn(gd, 'Grade', 'grade_data.csv');
  const grade = new Map<string, string>();
  for (const r of gd.rows) {
    const g = ROMAN[(r.cells[gGrade] ?? '').trim()];
    if (g) grade.set((r.cells[gId] ?? '').trim(), g);
  }
  return { survival, grade };
}

interface OofFile {
  task: 'survival' | 'grade';
  fold: number;
  path: string;
}

function oofFiles(pkg: VerifiedPackage): OofFile[] {
  return pkg.manifest.files
    .filter((f) => f.role === 'oof-predictions')
    .flatMap((f) => {
      const m = /(?:^|\/)(survival|grade)_fold(\d+)\.csv$/.exec(f.path);
      return m ? [{ task: m[1] as 'survival' | 'grade', fold: Number(m[2]), path: f.path }] : [];
    })
    .sort((a, b) => a.fold - b.fold);
}

function readOof(pkg: VerifiedPackage, f: OofFile): CsvTable {
  const t = parseCsv(fs.readFileSync(path.join(pkg.dir, ...f.path.split('/')), 'utf8'), f.path);
  const cFold = requireColumn(t, 'fold', f.path);
  for (const r of t.rows) {
    if (numberCell(t, r, cFold, f.path) !== f.fold) throw new GliofuseError('INTEGRITY', `${f.path}: line ${r.line} says fold ${r.cells[cFold]}, the file name says ${f.fold}.`);
  }
  return t;
}

export interface Comparison {
  metric: string;
  evaluated: number | null;
  manifest: number | null;
  diff: number | null;
  matches: boolean | null;
}

function compare(metric: string, evaluated: number, manifest: number | undefined): Comparison {
  if (manifest === undefined) return { metric, evaluated: num(evaluated), manifest: null, diff: null, matches: null };
  const diff = evaluated - manifest;
  return { metric, evaluated: num(evaluated), manifest, diff: num(diff), matches: Number.isFinite(diff) && Math.abs(diff) <= MATCH_TOLERANCE };
}

export interface PackageEvaluation {
  model: { id: string; version: string; digest: string };
  labels: string;
  protocol: string;
  survival: { folds: { fold: number; n: number; events: number; c_index: number | null }[]; patients: number; c_index_mean: number | null; c_index_sd: number | null } | null;
  grade: { folds: { fold: number; n: number; accuracy: number | null; balanced_accuracy: number | null; auc_macro: number | null; auc_micro: number | null }[]; patients: number; mean: Record<string, number | null>; sd: Record<string, number | null> } | null;
  comparisons: Comparison[];
  tolerance: number;
  /** False when any manifest figure differs from the re-evaluation by more than the tolerance. */
  ok: boolean;
}

export function evaluatePackage(pkg: VerifiedPackage, labelsDir: string = defaultTcgaDir()): PackageEvaluation {
  const files = oofFiles(pkg);
  if (files.length === 0) throw badInput(`Model package ${pkg.id} has no out-of-fold prediction files (oof_predictions/survival_fold<k>.csv or grade_fold<k>.csv).`);
  const labels = loadTcgaLabels(labelsDir);
  const m = pkg.manifest;
  const comparisons: Comparison[] = [];

  const survFiles = files.filter((f) => f.task === 'survival');
  let survival: PackageEvaluation['survival'] = null;
  if (survFiles.length) {
    const patients = new Set<string>();
    const folds = survFiles.map((f) => {
      const t = readOof(pkg, f);
      const cId = requireColumn(t, 'patient_id', f.path);
      const cRisk = requireColumn(t, 'risk', f.path);
      const recs: SurvivalRecord[] = t.rows.map((r) => {
        const id = (r.cells[cId] ?? '').trim();
        const lab = labels.survival.get(id);
        if (!lab) throw badInput(`${f.path}: patient ${id} (line ${r.line}) has no survival label in all_dataset.csv.`);
        patients.add(id);
        return { time: lab.time, event: lab.event, risk: numberCell(t, r, cRisk, f.path) };
      });
      const c = harrellCIndex(recs);
      return { fold: f.fold, n: c.n, events: c.events, c_index: num(c.cIndex) };
    });
    const ms = meanSd(folds.map((x) => x.c_index ?? NaN));
    survival = { folds, patients: patients.size, c_index_mean: num(ms.mean), c_index_sd: num(ms.sd) };
    comparisons.push(compare('survival.cIndexMean', ms.mean, m.metrics.survival?.cIndexMean));
    comparisons.push(compare('survival.cIndexSd', ms.sd, m.metrics.survival?.cIndexSd));
  }

  const gradeFiles = files.filter((f) => f.task === 'grade');
  let grade: PackageEvaluation['grade'] = null;
  if (gradeFiles.length) {
    const classes = m.labels.grade;
    const patients = new Set<string>();
    const folds = gradeFiles.map((f) => {
      const t = readOof(pkg, f);
      const cId = requireColumn(t, 'patient_id', f.path);
      const cols = classes.map((c) => requireColumn(t, `p_${c}`, f.path));
      const labelsIdx: number[] = [];
      const probs: number[][] = [];
      for (const r of t.rows) {
        const id = (r.cells[cId] ?? '').trim();
        const g = labels.grade.get(id);
        if (!g) throw badInput(`${f.path}: patient ${id} (line ${r.line}) has no grade in grade_data.csv.`);
        const k = classes.indexOf(g);
        if (k < 0) throw badInput(`${f.path}: grade ${g} of patient ${id} is not one of the package's labels (${classes.join(', ')}).`);
        patients.add(id);
        labelsIdx.push(k);
        probs.push(cols.map((c) => numberCell(t, r, c, f.path)));
      }
      const cm = classificationMetrics({ classes, labels: labelsIdx, probs });
      return { fold: f.fold, n: cm.n, accuracy: num(cm.accuracy), balanced_accuracy: num(cm.balancedAccuracy), auc_macro: num(cm.aucMacro), auc_micro: num(cm.aucMicro) };
    });
    const keys = ['accuracy', 'balanced_accuracy', 'auc_macro', 'auc_micro'] as const;
    const mean: Record<string, number | null> = {};
    const sd: Record<string, number | null> = {};
    for (const k of keys) {
      const ms = meanSd(folds.map((x) => x[k] ?? NaN));
      mean[k] = num(ms.mean);
      sd[k] = num(ms.sd);
    }
    grade = { folds, patients: patients.size, mean, sd };
    const g = m.metrics.grade;
    comparisons.push(compare('grade.accuracyMean', mean.accuracy ?? NaN, g?.accuracyMean));
    comparisons.push(compare('grade.accuracySd', sd.accuracy ?? NaN, g?.accuracySd));
    comparisons.push(compare('grade.balancedAccuracyMean', mean.balanced_accuracy ?? NaN, g?.balancedAccuracyMean));
    comparisons.push(compare('grade.aucMacroMean', mean.auc_macro ?? NaN, g?.aucMacroMean));
    comparisons.push(compare('grade.aucMicroMean', mean.auc_micro ?? NaN, g?.aucMicroMean));
    comparisons.push(compare('grade.aucMicroSd', sd.auc_micro ?? NaN, g?.aucMicroSd));
  }

  const compared = comparisons.filter((c) => c.matches !== null);
  return {
    model: { id: pkg.id, version: m.version, digest: pkg.digest },
    labels: labelsDir,
    protocol: m.metrics.protocol,
    survival,
    grade,
    comparisons,
    tolerance: MATCH_TOLERANCE,
    ok: compared.every((c) => c.matches === true),
  };
}
