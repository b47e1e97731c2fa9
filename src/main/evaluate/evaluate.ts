/**
 * `gliofuse evaluate survival|classification`: prediction CSV text in, the JSON report out (snake_case keys, the
 * documented output of the CLI). Optional per-group metrics (`by`, e.g. the fold column) with mean ± sd over the
 * groups, and percentile-bootstrap 95 % intervals over patients (seeded).
 */
import { parseCsv } from '../../shared/csv.ts';
import { bootstrap, classificationMetrics, harrellCIndex, meanSd, type SurvivalRecord } from './metrics.ts';
import { groupIndices, readClassificationTable, readSurvivalTable } from './prediction-files.ts';
import { badInput } from '../../shared/errors.ts';

export interface EvalOptions {
  /** Bootstrap resamples (0 = none). */
  bootstrap?: number;
  seed?: number;
  /** Column whose values define groups (folds); metrics are then also given per group with mean ± sd. */
  by?: string;
}

export const DEFAULT_SEED = 20240601;
const MAX_BOOTSTRAP = 100_000;

function checkOpts(o: EvalOptions): { reps: number; seed: number } {
  const reps = o.bootstrap ?? 0;
  if (!Number.isInteger(reps) || reps < 0 || reps > MAX_BOOTSTRAP) throw badInput(`--bootstrap must be a whole number from 0 to ${MAX_BOOTSTRAP}.`);
  const seed = o.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw badInput('--seed must be a whole number from 0 to 4294967295.');
  return { reps, seed };
}

/** JSON has no NaN: undefined metrics (no events, one class only) are reported as null. */
export const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

export interface SurvivalReport {
  c_index: number | null;
  n: number;
  events: number;
  comparable_pairs: number;
  ci95?: { c_index: [number | null, number | null]; reps: number; seed: number };
  groups?: { by: string; values: { group: string; c_index: number | null; n: number; events: number }[]; c_index_mean: number | null; c_index_sd: number | null };
}

export function evaluateSurvival(text: string, opts: EvalOptions = {}): SurvivalReport {
  const { reps, seed } = checkOpts(opts);
  const rows = readSurvivalTable(parseCsv(text, 'survival predictions'), { by: opts.by });
  return survivalReport(rows, rows.map((r) => r.group), reps, seed, opts.by);
}

export function survivalReport(records: readonly SurvivalRecord[], groups: readonly (string | null)[], reps: number, seed: number, by?: string): SurvivalReport {
  const all = harrellCIndex(records);
  const out: SurvivalReport = { c_index: num(all.cIndex), n: all.n, events: all.events, comparable_pairs: all.comparablePairs };
  if (by !== undefined) {
    const values = groupIndices(groups).map(({ group, indices }) => {
      const r = harrellCIndex(indices.map((i) => records[i] as SurvivalRecord));
      return { group, c_index: num(r.cIndex), n: r.n, events: r.events };
    });
    const ms = meanSd(values.map((v) => v.c_index ?? NaN));
    out.groups = { by, values, c_index_mean: num(ms.mean), c_index_sd: num(ms.sd) };
  }
  if (reps > 0) {
    const ci = bootstrap(records, (s) => ({ c_index: harrellCIndex(s).cIndex }), { reps, seed });
    out.ci95 = { c_index: [num(ci.c_index.lower), num(ci.c_index.upper)], reps, seed };
  }
  return out;
}

type ClsKey = 'accuracy' | 'balanced_accuracy' | 'auc_macro' | 'auc_micro';

export interface ClassificationReport {
  accuracy: number | null;
  balanced_accuracy: number | null;
  auc_macro: number | null;
  auc_micro: number | null;
  n: number;
  classes: string[];
  auc_per_class: Record<string, number | null>;
  ci95?: Record<ClsKey, [number | null, number | null]> & { reps: number; seed: number };
  groups?: {
    by: string;
    values: ({ group: string; n: number } & Record<ClsKey, number | null>)[];
    mean: Record<ClsKey, number | null>;
    sd: Record<ClsKey, number | null>;
  };
}

const CLS_KEYS: ClsKey[] = ['accuracy', 'balanced_accuracy', 'auc_macro', 'auc_micro'];

function clsValues(classes: readonly string[], labels: readonly number[], probs: readonly (readonly number[])[]): Record<ClsKey, number> {
  const m = classificationMetrics({ classes, labels, probs });
  return { accuracy: m.accuracy, balanced_accuracy: m.balancedAccuracy, auc_macro: m.aucMacro, auc_micro: m.aucMicro };
}

export function evaluateClassification(text: string, opts: EvalOptions = {}): ClassificationReport {
  const { reps, seed } = checkOpts(opts);
  const t = readClassificationTable(parseCsv(text, 'classification predictions'), { by: opts.by });
  return classificationReport(t.classes, t.labels, t.probs, t.groups, reps, seed, opts.by);
}

export function classificationReport(
  classes: readonly string[], labels: readonly number[], probs: readonly (readonly number[])[],
  groups: readonly (string | null)[], reps: number, seed: number, by?: string,
): ClassificationReport {
  const m = classificationMetrics({ classes, labels, probs });
  const out: ClassificationReport = {
    accuracy: num(m.accuracy), balanced_accuracy: num(m.balancedAccuracy), auc_macro: num(m.aucMacro), auc_micro: num(m.aucMicro),
    n: m.n, classes: [...classes],
    auc_per_class: Object.fromEntries(classes.map((c, k) => [c, num(m.aucPerClass[k] ?? NaN)])),
  };
  if (by !== undefined) {
    const values = groupIndices(groups).map(({ group, indices }) => {
      const v = clsValues(classes, indices.map((i) => labels[i] as number), indices.map((i) => probs[i] as number[]));
      return { group, n: indices.length, ...mapValues(v, num) };
    });
    const mean = {} as Record<ClsKey, number | null>;
    const sd = {} as Record<ClsKey, number | null>;
    for (const k of CLS_KEYS) {
      const ms = meanSd(values.map((v) => v[k] ?? NaN));
      mean[k] = num(ms.mean);
      sd[k] = num(ms.sd);
    }
    out.groups = { by, values, mean, sd };
  }
  if (reps > 0) {
    const idx = labels.map((_, i) => i);
    const ci = bootstrap(idx, (s) => clsValues(classes, s.map((i) => labels[i] as number), s.map((i) => probs[i] as number[])), { reps, seed });
    out.ci95 = {
      ...(Object.fromEntries(CLS_KEYS.map((k) => [k, [num(ci[k].lower), num(ci[k].upper)]])) as Record<ClsKey, [number | null, number | null]>),
      reps, seed,
    };
  }
  return out;
}

function mapValues<K extends string, A, B>(o: Record<K, A>, f: (a: A) => B): Record<K, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as A)])) as Record<K, B>;
}
