/**
 * Evaluation metrics (definitions and tie rules: docs/evaluation.md). Pure functions over arrays so the CLI, the
 * package re-evaluation and the tests share one implementation.
 */

export interface SurvivalRecord {
  time: number;
  /** 1 = death observed, 0 = censored (alive at `time`). */
  event: 0 | 1;
  /** Higher = worse prognosis. */
  risk: number;
}

export interface CIndexResult {
  cIndex: number;
  n: number;
  events: number;
  comparablePairs: number;
}

/**
 * Harrell's concordance index. A pair (i, j) is comparable when i died (event 1) and j was still at risk after
 * i's death: t_j > t_i, or t_j = t_i with j censored (a patient censored at the time of a death is counted as
 * having outlived it, as lifelines and Harrell do). Two deaths at the same time are not comparable. A comparable
 * pair scores 1 when risk_i > risk_j, ½ when the risks are equal, 0 otherwise. NaN when nothing is comparable.
 *
 * O(n²) over deaths × patients; n is at most a few thousand here (tested: 700 patients × 1000 bootstraps in seconds).
 */
export function harrellCIndex(records: readonly SurvivalRecord[]): CIndexResult {
  const n = records.length;
  let concordant = 0;
  let pairs = 0;
  let events = 0;
  for (let i = 0; i < n; i++) {
    const a = records[i] as SurvivalRecord;
    if (a.event !== 1) continue;
    events++;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = records[j] as SurvivalRecord;
      if (b.time > a.time || (b.time === a.time && b.event === 0)) {
        pairs++;
        if (a.risk > b.risk) concordant += 1;
        else if (a.risk === b.risk) concordant += 0.5;
      }
    }
  }
  return { cIndex: pairs > 0 ? concordant / pairs : NaN, n, events, comparablePairs: pairs };
}

/**
 * Area under the ROC curve for binary labels (1 = positive): the Mann–Whitney probability that a positive scores
 * above a negative, tied scores counting ½. Positives and negatives are sorted separately (native typed-array
 * sorts) and merged, so a 1000-resample bootstrap over thousands of samples stays fast. NaN for one class only.
 */
export function binaryAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  const P = new Float64Array(pos);
  const N = new Float64Array(neg);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (labels[i] === 1) P[a++] = scores[i] as number;
    else N[b++] = scores[i] as number;
  }
  P.sort();
  N.sort();
  // For each positive (ascending): negatives strictly below count 1, equal ones ½.
  let below = 0;
  let upTo = 0;
  let wins = 0;
  for (let i = 0; i < pos; i++) {
    const p = P[i] as number;
    while (below < neg && (N[below] as number) < p) below++;
    if (upTo < below) upTo = below;
    while (upTo < neg && (N[upTo] as number) <= p) upTo++;
    wins += below + (upTo - below) / 2;
  }
  return wins / (pos * neg);
}

export interface ClassificationInput {
  classes: readonly string[];
  /** Index into `classes` of each sample's true label. */
  labels: readonly number[];
  /** probs[i][k] = predicted probability (or score) of class k for sample i. */
  probs: readonly (readonly number[])[];
}

export interface ClassificationResult {
  accuracy: number;
  balancedAccuracy: number;
  aucMacro: number;
  aucMicro: number;
  n: number;
  classes: string[];
  /** Per-class one-vs-rest AUC (NaN for a class absent from the labels or present in all of them). */
  aucPerClass: number[];
}

/** The predicted class: the highest probability; ties go to the first class in column order. */
export function argmax(row: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if ((row[k] as number) > (row[best] as number)) best = k;
  return best;
}

/**
 * accuracy; balanced accuracy = mean recall over the classes present in the labels; AUC macro = mean of the
 * one-vs-rest AUCs over classes that have both positives and negatives; AUC micro = one AUC over all (sample,
 * class) cells of the one-hot labels against the probability matrix (scikit-learn's average="micro").
 */
export function classificationMetrics(input: ClassificationInput): ClassificationResult {
  const { classes, labels, probs } = input;
  const n = labels.length;
  const K = classes.length;
  let correct = 0;
  const tp = new Array<number>(K).fill(0);
  const support = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    const p = argmax(probs[i] as number[]);
    support[y] = (support[y] as number) + 1;
    if (p === y) { correct++; tp[y] = (tp[y] as number) + 1; }
  }
  const recalls = support.flatMap((s, k) => (s > 0 ? [(tp[k] as number) / s] : []));
  const aucPerClass = classes.map((_, k) => binaryAuc(labels.map((y) => (y === k ? 1 : 0)), probs.map((r) => r[k] as number)));
  const finiteAucs = aucPerClass.filter((a) => Number.isFinite(a));
  const flatLabels = new Float64Array(n * K);
  const flatScores = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      flatLabels[i * K + k] = labels[i] === k ? 1 : 0;
      flatScores[i * K + k] = (probs[i] as number[])[k] as number;
    }
  }
  return {
    accuracy: n > 0 ? correct / n : NaN,
    balancedAccuracy: recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : NaN,
    aucMacro: finiteAucs.length ? finiteAucs.reduce((a, b) => a + b, 0) / finiteAucs.length : NaN,
    aucMicro: binaryAuc(flatLabels, flatScores),
    n,
    classes: [...classes],
    aucPerClass,
  };
}

/** mulberry32: a tiny seeded PRNG, so bootstrap intervals are reproducible run to run and machine to machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Linear-interpolated percentile of sorted values (numpy's default "linear" method). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export interface Interval {
  lower: number;
  upper: number;
  /** Resamples where the metric was defined (e.g. a resample without any death has no c-index). */
  valid: number;
}

/**
 * Percentile bootstrap: `reps` resamples of the n records with replacement (seeded), the metric on each, and the
 * 2.5th / 97.5th percentiles of the defined values. Each metric of `fn`'s result gets its own interval.
 */
export function bootstrap<T, K extends string>(
  records: readonly T[],
  fn: (sample: T[]) => Record<K, number>,
  opts: { reps: number; seed: number; level?: number },
): Record<K, Interval> {
  const rand = seededRandom(opts.seed);
  const level = opts.level ?? 0.95;
  const n = records.length;
  const values = new Map<K, number[]>();
  const sample = new Array<T>(n);
  for (let r = 0; r < opts.reps; r++) {
    for (let i = 0; i < n; i++) sample[i] = records[Math.floor(rand() * n)] as T;
    const out = fn(sample);
    for (const key of Object.keys(out) as K[]) {
      const v = out[key];
      if (!values.has(key)) values.set(key, []);
      if (Number.isFinite(v)) values.get(key)?.push(v);
    }
  }
  const result = {} as Record<K, Interval>;
  for (const [key, vs] of values) {
    vs.sort((a, b) => a - b);
    result[key] = { lower: percentile(vs, (1 - level) / 2), upper: percentile(vs, 1 - (1 - level) / 2), valid: vs.length };
  }
  return result;
}

export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: NaN, sd: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  // Sample sd (ddof = 1), as the training recipe reports the manifest's fold-wise "mean ± sd"; 0 for one value.
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd };
}
