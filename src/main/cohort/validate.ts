/**
 * `gliofuse validate COHORT_DIR --labels LABELS.csv --out STUDY_DIR`: a local validation study of merged batch
 * predictions against a site's own outcomes. Every figure comes from the same code as `gliofuse evaluate`
 * (metrics.ts), and the study writes its joined prediction files in evaluate's formats, so evaluate run on them
 * reproduces the study's c-index and accuracies exactly (a test checks this on TCGA's 697 patients).
 *
 * Computed: c-index and time-dependent AUC at 2 and 5 years; grade and class accuracy, balanced accuracy, AUC; each
 * with a percentile-bootstrap 95 % interval over patients (seeded); reliability of the top-class probability with
 * Wilson intervals per bin; Kaplan–Meier per package risk group with log-rank; the clinical reference risk
 * (IDH + 1p/19q + age) on the same patients when the results carry it; missing data counted per task.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseCsv, numberCell, requireColumn } from '../../shared/csv.ts';
import { badInput } from '../../shared/errors.ts';
import { bootstrap, classificationMetrics, harrellCIndex, type Interval, type SurvivalRecord } from '../evaluate/metrics.ts';
import { kaplanMeier, logRank, type KmSummary } from '../evaluate/kaplan-meier.ts';
import { COHORT_FILES, type CohortSummary } from './merge.ts';
import { readLabels, type PatientLabels } from './labels.ts';
import { censoringSurvival, cumulativeDynamicAuc, type TimedRisk } from './td-auc.ts';

export const DAYS_PER_YEAR = 365.25;
export const TD_AUC_YEARS = [2, 5] as const;
export const STUDY_FILES = { json: 'validation.json', survival: 'survival.csv', grade: 'grade.csv', molecularClass: 'class.csv', pdf: 'validation-report.pdf' } as const;

type Ci = [number | null, number | null];
const num = (v: number): number | null => (Number.isFinite(v) ? v : null);
const ci = (i: Interval | undefined): Ci => (i ? [num(i.lower), num(i.upper)] : [null, null]);

export interface ReliabilityBin { from: number; to: number; n: number; confidence: number | null; accuracy: number | null; lower: number | null; upper: number | null }

export interface ClassificationStudy {
  n: number;
  classes: string[];
  accuracy: number | null;
  balancedAccuracy: number | null;
  aucMicro: number | null;
  aucMacro: number | null;
  ci95: { accuracy: Ci; balancedAccuracy: Ci; aucMicro: Ci; aucMacro: Ci };
  /** Top-class probability vs observed accuracy, 10 equal-width bins, Wilson 95 % interval per bin. */
  reliability: ReliabilityBin[];
  ece: number | null;
}

export interface KmGroup { group: string; n: number; events: number; medianDays: number | null; medianCi: Ci; steps: { time: number; survival: number; atRisk: number }[] }

export interface ValidationStudy {
  createdAt: string;
  ranBy: string;
  cohort: { dir: string; createdAt: string; cases: number; model: CohortSummary['model']; manifest: string };
  labels: { file: string; sha256: string; patients: number };
  bootstrap: { reps: number; seed: number };
  /** unlabelled, survival, grade, molecularClass, clinicalReference: among the analysed cases; notAnalysed: cases the batch could not analyse. */
  missing: { notAnalysed: number; unlabelled: number; survival: number; grade: number; molecularClass: number; clinicalReference: number };
  survival: null | {
    n: number;
    events: number;
    cIndex: number | null;
    cIndexCi: Ci;
    tdAuc: { years: number; auc: number | null; ci95: Ci; cases: number; controls: number }[];
    riskGroups: KmGroup[];
    logRank: { groups: [string, string]; chiSquare: number; p: number }[];
    clinicalReference: null | { n: number; cIndex: number | null; cIndexCi: Ci };
  };
  grade: ClassificationStudy | null;
  molecularClass: ClassificationStudy | null;
  /** The package's own cross-validated figures (its manifest), for side-by-side reading; null when not at hand. */
  packageCrossValidated: unknown;
}

interface Row { id: string; risk: number; riskGroup: string; clinicalRisk: number | null; grade: number[]; cls: number[] }

function readCohort(dir: string): { summary: CohortSummary; rows: Map<string, Row> } {
  const summaryFile = path.join(dir, COHORT_FILES.summary);
  let summary: CohortSummary;
  try {
    summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as CohortSummary;
  } catch {
    throw badInput(`${dir} is not a merged cohort (no readable ${COHORT_FILES.summary}; run \`gliofuse batch merge\` first).`);
  }
  if (!summary?.model?.id || !Array.isArray(summary.gradeLabels) || !Array.isArray(summary.classLabels)) throw badInput(`${summaryFile} is not a cohort summary this version reads.`);
  const read = (f: string) => {
    const file = path.join(dir, f);
    try {
      return { t: parseCsv(fs.readFileSync(file, 'utf8'), file), file };
    } catch (e) {
      if (e instanceof Error && 'code' in e && (e as { code?: string }).code === 'ENOENT') throw badInput(`${file} is missing: the cohort folder is incomplete.`);
      throw e;
    }
  };
  const s = read(COHORT_FILES.survival);
  const rows = new Map<string, Row>();
  const [sid, srisk, sgroup, sclin] = ['patient_id', 'risk', 'risk_group', 'clinical_risk'].map((c) => requireColumn(s.t, c, s.file)) as [number, number, number, number];
  for (const r of s.t.rows) {
    const id = (r.cells[sid] ?? '').trim();
    const clin = (r.cells[sclin] ?? '').trim();
    rows.set(id, { id, risk: numberCell(s.t, r, srisk, s.file), riskGroup: (r.cells[sgroup] ?? '').trim(), clinicalRisk: clin === '' ? null : numberCell(s.t, r, sclin, s.file), grade: [], cls: [] });
  }
  for (const [f, labels, key] of [[COHORT_FILES.grade, summary.gradeLabels, 'grade'], [COHORT_FILES.molecularClass, summary.classLabels, 'cls']] as const) {
    const { t, file } = read(f);
    const id = requireColumn(t, 'patient_id', file);
    const cols = labels.map((l) => requireColumn(t, `p_${l}`, file));
    for (const r of t.rows) {
      const row = rows.get((r.cells[id] ?? '').trim());
      if (!row) throw badInput(`${file} line ${r.line}: patient not in ${COHORT_FILES.survival}.`);
      row[key] = cols.map((c) => numberCell(t, r, c, file));
    }
  }
  return { summary, rows };
}

function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [NaN, NaN];
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

function classificationStudy(classes: readonly string[], labels: number[], probs: number[][], reps: number, seed: number): ClassificationStudy {
  const m = classificationMetrics({ classes, labels, probs });
  const idx = labels.map((_, i) => i);
  const boot = reps > 0 ? bootstrap(idx, (s) => {
    const r = classificationMetrics({ classes, labels: s.map((i) => labels[i]!), probs: s.map((i) => probs[i]!) });
    return { accuracy: r.accuracy, balancedAccuracy: r.balancedAccuracy, aucMicro: r.aucMicro, aucMacro: r.aucMacro };
  }, { reps, seed }) : undefined;
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < 10; b++) {
    const from = b / 10;
    const to = (b + 1) / 10;
    let n = 0; let conf = 0; let correct = 0;
    probs.forEach((p, i) => {
      const top = Math.max(...p);
      const k = p.indexOf(top);
      if ((top > from || (b === 0 && top >= from)) && top <= to) { n++; conf += top; if (k === labels[i]) correct++; }
    });
    const [lo, hi] = wilson(correct, n);
    bins.push({ from, to, n, confidence: n ? conf / n : null, accuracy: n ? correct / n : null, lower: num(lo), upper: num(hi) });
    if (n) ece += (n / probs.length) * Math.abs(correct / n - conf / n);
  }
  return {
    n: m.n, classes: [...classes], accuracy: num(m.accuracy), balancedAccuracy: num(m.balancedAccuracy), aucMicro: num(m.aucMicro), aucMacro: num(m.aucMacro),
    ci95: { accuracy: ci(boot?.accuracy), balancedAccuracy: ci(boot?.balancedAccuracy), aucMicro: ci(boot?.aucMicro), aucMacro: ci(boot?.aucMacro) },
    reliability: bins, ece: probs.length ? ece : null,
  };
}

const csvLine = (cells: (string | number)[]) => cells.map((c) => (typeof c === 'string' && /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : String(c))).join(',');

export interface ValidateOptions { reps?: number; seed?: number; ranBy: string; packageCrossValidated?: unknown; now?: () => Date }

/** Computes the study and writes STUDY_DIR (validation.json + evaluate-format CSVs); the PDF is written by the caller. */
export function runValidation(cohortDir: string, labelsFile: string, studyDir: string, o: ValidateOptions): ValidationStudy {
  const reps = o.reps ?? 1000;
  const seed = o.seed ?? 20240601;
  if (!Number.isInteger(reps) || reps < 0 || reps > 100_000) throw badInput('--bootstrap must be a whole number from 0 to 100000.');
  const { summary, rows } = readCohort(path.resolve(cohortDir));
  // Not-analysed cases are cohort patients too: their labels are accepted and they count as missing predictions.
  const notAnalysed = Array.isArray(summary.notAnalysed) ? summary.notAnalysed.map((c) => c.caseId) : [];
  const labels = readLabels(labelsFile, { patients: new Set([...rows.keys(), ...notAnalysed]), gradeLabels: summary.gradeLabels, classLabels: summary.classLabels });
  const ids = [...rows.keys()].sort();
  const labelled = (pick: (l: PatientLabels) => boolean) => ids.filter((id) => { const l = labels.get(id); return l !== undefined && pick(l); });

  const survIds = labelled((l) => l.time !== null && l.event !== null);
  const records: (SurvivalRecord & { id: string })[] = survIds.map((id) => ({ id, time: labels.get(id)!.time!, event: labels.get(id)!.event!, risk: rows.get(id)!.risk }));
  const gradeIds = labelled((l) => l.grade !== null);
  const classIds = labelled((l) => l.molecularClass !== null);
  const clinIds = survIds.filter((id) => rows.get(id)!.clinicalRisk !== null);

  let survival: ValidationStudy['survival'] = null;
  if (records.length > 0) {
    const c = harrellCIndex(records);
    const bootC = reps > 0 ? bootstrap(records, (s) => ({ c: harrellCIndex(s).cIndex }), { reps, seed }) : undefined;
    const tdAuc = TD_AUC_YEARS.map((years) => {
      const t = years * DAYS_PER_YEAR;
      const r = cumulativeDynamicAuc(records as TimedRisk[], t);
      const b = reps > 0 ? bootstrap(records, (s) => ({ auc: cumulativeDynamicAuc(s as TimedRisk[], t, censoringSurvival(s as TimedRisk[])).auc }), { reps: Math.min(reps, 500), seed }) : undefined;
      return { years, auc: num(r.auc), ci95: ci(b?.auc), cases: r.cases, controls: r.controls };
    });
    const groupNames = [...new Set(survIds.map((id) => rows.get(id)!.riskGroup))];
    const order = ['low', 'intermediate', 'high'];
    groupNames.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
    const obsOf = (g: string) => records.filter((r) => rows.get(r.id)!.riskGroup === g).map((r) => ({ time: r.time, event: r.event }));
    const riskGroups: KmGroup[] = groupNames.map((g) => {
      const km: KmSummary = kaplanMeier(obsOf(g));
      return { group: g, n: km.n, events: km.events, medianDays: km.median, medianCi: [km.medianLower, km.medianUpper], steps: km.steps.map((s) => ({ time: s.time, survival: s.survival, atRisk: s.atRisk })) };
    });
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < groupNames.length; i++) pairs.push([groupNames[i]!, groupNames[i + 1]!]);
    if (groupNames.length > 2) pairs.push([groupNames[0]!, groupNames[groupNames.length - 1]!]);
    const clinRecords = clinIds.map((id) => ({ time: labels.get(id)!.time!, event: labels.get(id)!.event!, risk: rows.get(id)!.clinicalRisk! }));
    const clinBoot = reps > 0 && clinRecords.length ? bootstrap(clinRecords, (s) => ({ c: harrellCIndex(s).cIndex }), { reps, seed }) : undefined;
    survival = {
      n: c.n, events: c.events, cIndex: num(c.cIndex), cIndexCi: ci(bootC?.c), tdAuc, riskGroups,
      logRank: pairs.map(([a, b]) => { const r = logRank(obsOf(a), obsOf(b)); return { groups: [a, b] as [string, string], chiSquare: r.chiSquare, p: r.p }; }),
      clinicalReference: clinRecords.length ? { n: clinRecords.length, cIndex: num(harrellCIndex(clinRecords).cIndex), cIndexCi: ci(clinBoot?.c) } : null,
    };
  }
  const clsStudy = (idsOf: string[], classes: readonly string[], label: (l: PatientLabels) => string, probs: (r: Row) => number[]) =>
    idsOf.length ? classificationStudy(classes, idsOf.map((id) => classes.indexOf(label(labels.get(id)!))), idsOf.map((id) => probs(rows.get(id)!)), reps, seed) : null;

  const study: ValidationStudy = {
    createdAt: (o.now ?? (() => new Date()))().toISOString(),
    ranBy: o.ranBy,
    cohort: { dir: path.resolve(cohortDir), createdAt: summary.createdAt, cases: rows.size, model: summary.model, manifest: summary.manifest },
    labels: { file: path.resolve(labelsFile), sha256: crypto.createHash('sha256').update(fs.readFileSync(labelsFile)).digest('hex'), patients: labels.size },
    bootstrap: { reps, seed },
    missing: {
      notAnalysed: notAnalysed.length,
      unlabelled: ids.filter((id) => !labels.has(id)).length,
      survival: ids.length - survIds.length,
      grade: ids.length - gradeIds.length,
      molecularClass: ids.length - classIds.length,
      clinicalReference: survIds.length - clinIds.length,
    },
    survival,
    grade: clsStudy(gradeIds, summary.gradeLabels, (l) => l.grade!, (r) => r.grade),
    molecularClass: clsStudy(classIds, summary.classLabels, (l) => l.molecularClass!, (r) => r.cls),
    packageCrossValidated: o.packageCrossValidated ?? null,
  };

  const target = path.resolve(studyDir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) throw badInput(`${studyDir} exists and is not an empty folder; choose a new study folder.`);
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, STUDY_FILES.survival), `${['patient_id,time,event,risk', ...records.map((r) => csvLine([r.id, r.time, r.event, r.risk]))].join('\n')}\n`);
  const clsFile = (f: string, idsOf: string[], classes: readonly string[], label: (l: PatientLabels) => string, probs: (r: Row) => number[]) =>
    fs.writeFileSync(path.join(target, f), `${[csvLine(['patient_id', 'label', ...classes.map((k) => `p_${k}`)]), ...idsOf.map((id) => csvLine([id, label(labels.get(id)!), ...probs(rows.get(id)!)]))].join('\n')}\n`);
  clsFile(STUDY_FILES.grade, gradeIds, summary.gradeLabels, (l) => l.grade!, (r) => r.grade);
  clsFile(STUDY_FILES.molecularClass, classIds, summary.classLabels, (l) => l.molecularClass!, (r) => r.cls);
  fs.writeFileSync(path.join(target, STUDY_FILES.json), `${JSON.stringify(study, null, 2)}\n`);
  return study;
}
