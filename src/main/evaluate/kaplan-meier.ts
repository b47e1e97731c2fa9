/**
 * Kaplan–Meier estimate with the median survival and its 95 % confidence interval, and the two-group log-rank test.
 * Used by the WHO CNS5 validation (docs/who-cns5.md). Conventions follow R's survival package so the numbers can be
 * checked there: Greenwood variance, log-log ("Kalbfleisch–Prentice") pointwise bands, median = first time S(t) ≤ 0.5,
 * its CI = the first times the lower / upper band reach ≤ 0.5 (Brookmeyer–Crowley style; null when never reached).
 */
export interface SurvivalObs {
  time: number;
  /** 1 = event (death), 0 = censored. */
  event: 0 | 1;
}

export interface KmStep {
  time: number;
  atRisk: number;
  events: number;
  survival: number;
  lower: number;
  upper: number;
}

export interface KmSummary {
  n: number;
  events: number;
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
  steps: KmStep[];
}

const Z95 = 1.959963984540054;

export function kaplanMeier(obs: readonly SurvivalObs[]): KmSummary {
  const sorted = [...obs].sort((a, b) => a.time - b.time);
  const steps: KmStep[] = [];
  let atRisk = sorted.length;
  let s = 1;
  let greenwood = 0;
  for (let i = 0; i < sorted.length; ) {
    const t = (sorted[i] as SurvivalObs).time;
    let d = 0;
    let c = 0;
    while (i < sorted.length && (sorted[i] as SurvivalObs).time === t) {
      if ((sorted[i] as SurvivalObs).event === 1) d++;
      else c++;
      i++;
    }
    if (d > 0) {
      s *= 1 - d / atRisk;
      greenwood += atRisk > d ? d / (atRisk * (atRisk - d)) : Infinity;
      let lower = 0;
      let upper = 1;
      if (s > 0 && s < 1 && Number.isFinite(greenwood)) {
        const se = Math.sqrt(greenwood) / Math.abs(Math.log(s));
        lower = Math.pow(s, Math.exp(Z95 * se));
        upper = Math.pow(s, Math.exp(-Z95 * se));
      } else if (s === 1) {
        lower = 1;
      }
      steps.push({ time: t, atRisk, events: d, survival: s, lower, upper });
    }
    atRisk -= d + c;
  }
  const firstAtOrBelow = (pick: (st: KmStep) => number): number | null => steps.find((st) => pick(st) <= 0.5)?.time ?? null;
  return {
    n: obs.length,
    events: obs.filter((o) => o.event === 1).length,
    median: firstAtOrBelow((st) => st.survival),
    // The lower band falls to 0.5 first (the CI's lower end); the upper band last (its upper end).
    medianLower: firstAtOrBelow((st) => st.lower),
    medianUpper: firstAtOrBelow((st) => st.upper),
    steps,
  };
}

/** Complementary error function (Numerical Recipes erfcc; relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export interface LogRankResult {
  chiSquare: number;
  p: number;
  observed: [number, number];
  expected: [number, number];
}

/** Two-group log-rank (Mantel–Haenszel) test, 1 degree of freedom. */
export function logRank(a: readonly SurvivalObs[], b: readonly SurvivalObs[]): LogRankResult {
  const all = [...a.map((o) => ({ ...o, g: 0 })), ...b.map((o) => ({ ...o, g: 1 }))].sort((x, y) => x.time - y.time);
  let n0 = a.length;
  let n1 = b.length;
  let o0 = 0;
  let e0 = 0;
  let v = 0;
  for (let i = 0; i < all.length; ) {
    const t = all[i]!.time;
    let d0 = 0, d1 = 0, c0 = 0, c1 = 0;
    while (i < all.length && all[i]!.time === t) {
      const o = all[i]!;
      if (o.event === 1) { if (o.g === 0) d0++; else d1++; } else if (o.g === 0) c0++; else c1++;
      i++;
    }
    const d = d0 + d1;
    const n = n0 + n1;
    if (d > 0 && n > 0) {
      o0 += d0;
      e0 += (d * n0) / n;
      if (n > 1) v += (d * (n0 / n) * (n1 / n) * (n - d)) / (n - 1);
    }
    n0 -= d0 + c0;
    n1 -= d1 + c1;
  }
  const totalEvents = [...a, ...b].filter((o) => o.event === 1).length;
  const chi = v > 0 ? ((o0 - e0) ** 2) / v : 0;
  // Chi-square with 1 df: P(X > chi) = erfc(sqrt(chi / 2)).
  return { chiSquare: chi, p: v > 0 ? erfc(Math.sqrt(chi / 2)) : 1, observed: [o0, totalEvents - o0], expected: [e0, totalEvents - e0] };
}
