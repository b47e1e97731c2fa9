/**
 * Cumulative/dynamic time-dependent AUC at time t with inverse probability of censoring weights (Uno et al. 2007),
 * as scikit-survival's `cumulative_dynamic_auc`: cases are patients who died at or before t (weight 1/Ĝ(Tᵢ), Ĝ the
 * Kaplan–Meier estimate of the censoring distribution on the same patients), controls are patients still at risk
 * after t; AUC(t) = Σᵢ wᵢ Σⱼ (1[rᵢ > rⱼ] + ½·1[rᵢ = rⱼ]) / (Σᵢ wᵢ · #controls). Higher risk = earlier death.
 */
export interface TimedRisk {
  time: number;
  /** 1 = death, 0 = censored. */
  event: number;
  risk: number;
}

/** Ĝ(t): Kaplan–Meier of the censoring times (censoring is the "event"), right-continuous step function. */
export function censoringSurvival(obs: readonly TimedRisk[]): (t: number) => number {
  const times = [...new Set(obs.map((o) => o.time))].sort((a, b) => a - b);
  const steps: { time: number; g: number }[] = [];
  let g = 1;
  for (const t of times) {
    const atRisk = obs.filter((o) => o.time >= t).length;
    const censored = obs.filter((o) => o.time === t && o.event === 0).length;
    if (censored > 0 && atRisk > 0) g *= 1 - censored / atRisk;
    steps.push({ time: t, g });
  }
  return (t: number) => {
    let v = 1;
    for (const s of steps) { if (s.time <= t) v = s.g; else break; }
    return v;
  };
}

export interface TdAucResult { auc: number; cases: number; controls: number }

export function cumulativeDynamicAuc(obs: readonly TimedRisk[], t: number, g: (t: number) => number = censoringSurvival(obs)): TdAucResult {
  const cases = obs.filter((o) => o.event === 1 && o.time <= t);
  const controls = obs.filter((o) => o.time > t);
  if (cases.length === 0 || controls.length === 0) return { auc: NaN, cases: cases.length, controls: controls.length };
  let num = 0;
  let den = 0;
  for (const c of cases) {
    const gi = g(c.time);
    if (!(gi > 0)) continue; // no patient left uncensored: the weight is undefined (scikit-survival raises)
    const w = 1 / gi;
    let concordant = 0;
    for (const k of controls) concordant += c.risk > k.risk ? 1 : c.risk === k.risk ? 0.5 : 0;
    num += w * concordant;
    den += w * controls.length;
  }
  return { auc: den > 0 ? num / den : NaN, cases: cases.length, controls: controls.length };
}
