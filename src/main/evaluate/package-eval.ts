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
import { numberCell, parseCsv, requireColumn, type CsvTable } from '../../shared/csv.ts';
import { classificationMetrics, harrellCIndex, meanSd, type SurvivalRecord } from './metrics.ts';
import { num } from './evaluate.ts';
import { CLINICAL_REFERENCE_FILE, parseClinicalReference, type ClinicalReference } from '../inference/clinical-reference.ts';

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
  /** The 6-class label (models/training/umeml/data.py class_label) from molecular subtype + histological grade. */
  klass: Map<string, string>;
}

/** Molecular subtype + grade → the recipe's class label; patients outside these combinations have none. */
const CLASS_OF: Record<string, Record<string, string>> = {
  IDHwt: { IV: 'GBM_IDHwt_G4' },
  'IDHmut-non-codel': { IV: 'A_IDHmut_G4', III: 'A_IDHmut_G3', II: 'A_IDHmut_G2' },
  'IDHmut-codel': { III: 'O_IDHmut_codel_G3', II: 'O_IDHmut_codel_G2' },
};

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
  const klass = new Map<string, string>();
  const gSub = gd.header.indexOf('Molecular subtype');
  for (const r of gd.rows) {
    const g = ROMAN[(r.cells[gGrade] ?? '').trim()];
    if (g) grade.set((r.cells[gId] ?? '').trim(), g);
    const k = g && gSub >= 0 ? CLASS_OF[(r.cells[gSub] ?? '').trim()]?.[g] : undefined;
    if (k) klass.set((r.cells[gId] ?? '').trim(), k);
  }
  return { survival, grade, klass };
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
  /** UMEML's 6-class diagnosis from `class_fold<k>.csv` when the package stores it. */
  class: { folds: number; patients: number; mean: Record<string, number | null>; sd: Record<string, number | null> } | null;
  /** Reference models stored beside UMEML (e.g. the clinical Cox models), re-scored from their own OOF files. */
  references: ReferenceEvaluation[];
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

  const references = evaluateReferenceModels(pkg, labels, survival, comparisons);
  const klass = evaluateClassFiles(pkg, labels, comparisons);

  const compared = comparisons.filter((c) => c.matches !== null);
  return {
    model: { id: pkg.id, version: m.version, digest: pkg.digest },
    labels: labelsDir,
    protocol: m.metrics.protocol,
    survival,
    grade,
    references,
    class: klass,
    comparisons,
    tolerance: MATCH_TOLERANCE,
    ok: compared.every((c) => c.matches === true),
  };
}

export interface ReferenceEvaluation {
  /** Model id from clinical_reference.json / the manifest, else the file prefix. */
  id: string;
  label: string | null;
  task: 'survival' | 'grade';
  filePrefix: string;
  folds: { fold: number; n: number; value: number | null }[];
  /** survival: c-index; grade: accuracy and AUC micro. */
  mean: Record<string, number | null>;
  sd: Record<string, number | null>;
  /** survival only: UMEML − this model per fold (same folds), and the folds UMEML wins. */
  pairedVsUmeml: { mean_delta: number | null; sd_delta: number | null; umeml_wins: number; splits: number } | null;
}

const REFERENCE_RE = /(?:^|\/)([a-z0-9]+(?:_[a-z0-9]+)*)_(survival|grade)_fold(\d+)\.csv$/;

function loadReferenceDoc(pkg: VerifiedPackage): ClinicalReference | null {
  const listed = pkg.manifest.files.find((f) => f.path === CLINICAL_REFERENCE_FILE);
  if (!listed) return null;
  return parseClinicalReference(fs.readFileSync(path.join(pkg.dir, CLINICAL_REFERENCE_FILE), 'utf8'), CLINICAL_REFERENCE_FILE);
}

/**
 * Every `<prefix>_survival_fold<k>.csv` / `<prefix>_grade_fold<k>.csv` besides UMEML's own: per-fold metrics, mean ±
 * sd, the paired per-fold comparison with UMEML, and checks against the manifest's `metrics.referenceModels` and
 * clinical_reference.json (the figures the app shows beside the AI).
 */
function evaluateReferenceModels(pkg: VerifiedPackage, labels: Labels, umeml: PackageEvaluation['survival'], comparisons: Comparison[]): ReferenceEvaluation[] {
  const groups = new Map<string, { task: 'survival' | 'grade'; prefix: string; files: OofFile[] }>();
  for (const f of pkg.manifest.files) {
    if (f.role !== 'oof-predictions') continue;
    const mm = REFERENCE_RE.exec(f.path);
    if (!mm) continue;
    const key = `${mm[1]}_${mm[2]}`;
    if (!groups.has(key)) groups.set(key, { task: mm[2] as 'survival' | 'grade', prefix: key, files: [] });
    groups.get(key)?.files.push({ task: mm[2] as 'survival' | 'grade', fold: Number(mm[3]), path: f.path });
  }
  const doc = loadReferenceDoc(pkg);
  const byPrefix = new Map<string, string>();
  const rawDoc = doc ? (JSON.parse(fs.readFileSync(path.join(pkg.dir, CLINICAL_REFERENCE_FILE), 'utf8')) as { models?: { id?: string; oofFilePrefix?: string }[] }) : null;
  for (const x of rawDoc?.models ?? []) if (x.id && x.oofFilePrefix) byPrefix.set(x.oofFilePrefix, x.id);
  const manifestRefs = (pkg.manifest.metrics as { referenceModels?: Record<string, Record<string, unknown>> }).referenceModels ?? {};
  const idFor = (prefix: string): string => byPrefix.get(prefix) ?? Object.keys(manifestRefs).find((id) => manifestRefs[id]?.oofFilePrefix === prefix) ?? KNOWN_PREFIXES[prefix] ?? prefix;
  const numberOf = (o: Record<string, unknown> | undefined, k: string): number | undefined => (typeof o?.[k] === 'number' ? (o[k] as number) : undefined);
  const umemlByFold = new Map((umeml?.folds ?? []).map((f) => [f.fold, f.c_index]));
  const out: ReferenceEvaluation[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.prefix.localeCompare(b.prefix))) {
    g.files.sort((a, b) => a.fold - b.fold);
    const id = idFor(g.prefix);
    const claimed = manifestRefs[id];
    const label = typeof claimed?.label === 'string' ? claimed.label : (doc?.models.find((x) => x.id === id)?.label ?? null);
    if (g.task === 'survival') {
      const folds = g.files.map((f) => {
        const t = readOof(pkg, f);
        const cId = requireColumn(t, 'patient_id', f.path);
        const cRisk = requireColumn(t, 'risk', f.path);
        const recs: SurvivalRecord[] = t.rows.map((r) => {
          const pid = (r.cells[cId] ?? '').trim();
          const lab = labels.survival.get(pid);
          if (!lab) throw badInput(`${f.path}: patient ${pid} (line ${r.line}) has no survival label in all_dataset.csv.`);
          return { time: lab.time, event: lab.event, risk: numberCell(t, r, cRisk, f.path) };
        });
        const c = harrellCIndex(recs);
        return { fold: f.fold, n: c.n, value: num(c.cIndex) };
      });
      const ms = meanSd(folds.map((x) => x.value ?? NaN));
      const deltas = folds.flatMap((x) => {
        const u = umemlByFold.get(x.fold);
        return u === undefined || u === null || x.value === null ? [] : [u - x.value];
      });
      const paired = deltas.length === folds.length && deltas.length > 0
        ? (() => { const d = meanSd(deltas); return { mean_delta: num(d.mean), sd_delta: num(d.sd), umeml_wins: deltas.filter((x) => x > 0).length, splits: deltas.length }; })()
        : null;
      out.push({ id, label, task: 'survival', filePrefix: g.prefix, folds, mean: { c_index: num(ms.mean) }, sd: { c_index: num(ms.sd) }, pairedVsUmeml: paired });
      comparisons.push(compare(`referenceModels.${id}.cIndexMean`, ms.mean, numberOf(claimed, 'cIndexMean')));
      comparisons.push(compare(`referenceModels.${id}.cIndexSd`, ms.sd, numberOf(claimed, 'cIndexSd')));
      const claimedPaired = claimed?.pairedVsUmeml as Record<string, unknown> | undefined;
      if (paired) {
        comparisons.push(compare(`referenceModels.${id}.pairedVsUmeml.meanDelta`, paired.mean_delta ?? NaN, numberOf(claimedPaired, 'meanDelta')));
        comparisons.push(compare(`referenceModels.${id}.pairedVsUmeml.umemlWins`, paired.umeml_wins, numberOf(claimedPaired, 'umemlWins')));
      }
      const shown = doc?.models.find((x) => x.id === id);
      if (shown) {
        comparisons.push(compare(`clinical_reference.${id}.cv.cIndexMean`, ms.mean, shown.cv.cIndexMean));
        comparisons.push(compare(`clinical_reference.${id}.cv.cIndexSd`, ms.sd, shown.cv.cIndexSd));
        if (paired) {
          comparisons.push(compare(`clinical_reference.${id}.pairedVsUmeml.meanDelta`, paired.mean_delta ?? NaN, shown.pairedVsUmeml.meanDelta));
          comparisons.push(compare(`clinical_reference.${id}.pairedVsUmeml.sdDelta`, paired.sd_delta ?? NaN, shown.pairedVsUmeml.sdDelta));
          comparisons.push(compare(`clinical_reference.${id}.pairedVsUmeml.umemlWins`, paired.umeml_wins, shown.pairedVsUmeml.umemlWins));
        }
      }
    } else {
      const classes = pkg.manifest.labels.grade;
      const per = g.files.map((f) => {
        const t = readOof(pkg, f);
        const cId = requireColumn(t, 'patient_id', f.path);
        const cols = classes.map((c) => requireColumn(t, `p_${c}`, f.path));
        const labelsIdx: number[] = [];
        const probs: number[][] = [];
        for (const r of t.rows) {
          const pid = (r.cells[cId] ?? '').trim();
          const gr = labels.grade.get(pid);
          if (!gr) throw badInput(`${f.path}: patient ${pid} (line ${r.line}) has no grade in grade_data.csv.`);
          labelsIdx.push(classes.indexOf(gr));
          probs.push(cols.map((c) => numberCell(t, r, c, f.path)));
        }
        const cm = classificationMetrics({ classes, labels: labelsIdx, probs });
        return { fold: f.fold, n: cm.n, accuracy: cm.accuracy, auc_micro: cm.aucMicro };
      });
      const acc = meanSd(per.map((x) => x.accuracy));
      const auc = meanSd(per.map((x) => x.auc_micro));
      out.push({ id, label, task: 'grade', filePrefix: g.prefix, folds: per.map((x) => ({ fold: x.fold, n: x.n, value: num(x.accuracy) })),
        mean: { accuracy: num(acc.mean), auc_micro: num(auc.mean) }, sd: { accuracy: num(acc.sd), auc_micro: num(auc.sd) }, pairedVsUmeml: null });
      comparisons.push(compare(`referenceModels.${id}.accuracyMean`, acc.mean, numberOf(claimed, 'accuracyMean')));
      comparisons.push(compare(`referenceModels.${id}.aucMicroMean`, auc.mean, numberOf(claimed, 'aucMicroMean')));
    }
  }
  return out;
}

/** Ids of the recipe's reference models when a package has no clinical_reference.json naming them. */
const KNOWN_PREFIXES: Record<string, string> = {
  cox_clinical_survival: 'cox-idh-1p19q-age',
  cox_panel_survival: 'cox-panel-age',
  softmax_panel_grade: 'softmax-panel-age',
  umeml_panel_survival: 'umeml-panel',
};

function evaluateClassFiles(pkg: VerifiedPackage, labels: Labels, comparisons: Comparison[]): PackageEvaluation['class'] {
  const files = pkg.manifest.files
    .filter((f) => f.role === 'oof-predictions')
    .flatMap((f) => {
      const mm = /(?:^|\/)class_fold(\d+)\.csv$/.exec(f.path);
      return mm ? [{ task: 'grade' as const, fold: Number(mm[1]), path: f.path }] : [];
    })
    .sort((a, b) => a.fold - b.fold);
  if (files.length === 0) return null;
  const classes = pkg.manifest.labels.class;
  const patients = new Set<string>();
  const per = files.map((f) => {
    const t = readOof(pkg, f);
    const cId = requireColumn(t, 'patient_id', f.path);
    const cols = classes.map((c) => requireColumn(t, `p_${c}`, f.path));
    const idx: number[] = [];
    const probs: number[][] = [];
    for (const r of t.rows) {
      const pid = (r.cells[cId] ?? '').trim();
      const k = labels.klass.get(pid);
      if (!k) throw badInput(`${f.path}: patient ${pid} (line ${r.line}) has no 6-class label (molecular subtype + grade in grade_data.csv).`);
      patients.add(pid);
      idx.push(classes.indexOf(k));
      probs.push(cols.map((c) => numberCell(t, r, c, f.path)));
    }
    return classificationMetrics({ classes, labels: idx, probs });
  });
  const mean: Record<string, number | null> = {};
  const sd: Record<string, number | null> = {};
  for (const [k, get] of [['accuracy', (x: (typeof per)[number]) => x.accuracy], ['auc_micro', (x: (typeof per)[number]) => x.aucMicro], ['auc_macro', (x: (typeof per)[number]) => x.aucMacro]] as const) {
    const ms = meanSd(per.map(get));
    mean[k] = num(ms.mean);
    sd[k] = num(ms.sd);
  }
  const claimed = pkg.manifest.metrics as { class?: Record<string, unknown> };
  const n = (k: string): number | undefined => (typeof claimed.class?.[k] === 'number' ? (claimed.class[k] as number) : undefined);
  comparisons.push(compare('class.accuracyMean', mean.accuracy ?? NaN, n('accuracyMean')));
  comparisons.push(compare('class.aucMicroMean', mean.auc_micro ?? NaN, n('aucMicroMean')));
  comparisons.push(compare('class.aucMacroMean', mean.auc_macro ?? NaN, n('aucMacroMean')));
  return { folds: per.length, patients: patients.size, mean, sd };
}
