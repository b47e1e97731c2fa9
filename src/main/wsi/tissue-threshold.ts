/**
 * Which saturation threshold separates tissue from glass (docs/wsi.md, "Tissue detection").
 *
 * Otsu's threshold is right only when the image holds two populations — bright, colourless glass and stained
 * tissue. On an all-tissue region (a tumour ROI, a slide scanned edge to edge) there is no glass: Otsu then splits
 * the tissue itself into "more" and "less" stained halves and drops half the tumour (TCGA-06-0174: Otsu 57, 38 %
 * of the region kept, while 88 % of its pixels are above 20). So:
 *   - method `fixed`: the configured threshold;
 *   - method `otsu`, histogram not bimodal (too little separation between Otsu's two classes, or one class nearly
 *     empty): the configured threshold;
 *   - method `otsu`, bimodal: Otsu's value, capped by the configured threshold. The cap keeps faintly stained
 *     tissue at the edge of a section (which a high Otsu value on a strongly stained slide would cut away); Otsu
 *     can only lower the threshold, for pale stains whose tissue saturates below the configured value.
 */
import type { TissueParams } from '../../shared/contract/slides.ts';

export type ThresholdRule = 'fixed' | 'otsu' | 'otsu-capped' | 'not-bimodal';

export interface ThresholdChoice {
  threshold: number;
  rule: ThresholdRule;
  /** Otsu's threshold on this image (null for method = fixed). */
  otsu: number | null;
  /** Otsu's effectiveness η = between-class variance / total variance (0–1; null for method = fixed). */
  separation: number | null;
  /** Share of pixels in Otsu's smaller class (null for method = fixed). */
  minorClass: number | null;
}

/** η at or above this, with both classes holding at least MIN_CLASS of the pixels, counts as two populations. */
export const MIN_SEPARATION = 0.8;
export const MIN_CLASS = 0.02;

export interface OtsuStats {
  threshold: number;
  separation: number;
  /** Fraction of pixels at or below the threshold. */
  lowerClass: number;
}

/** Otsu's threshold over 0–255 values with its effectiveness measure η. */
export function otsuStats(values: Uint8Array): OtsuStats {
  const hist = new Float64Array(256);
  for (let i = 0; i < values.length; i++) hist[values[i] as number]!++;
  const total = values.length;
  let sumAll = 0;
  let sumSq = 0;
  for (let t = 0; t < 256; t++) {
    sumAll += t * (hist[t] as number);
    sumSq += t * t * (hist[t] as number);
  }
  const mean = total ? sumAll / total : 0;
  const totalVar = total ? sumSq / total - mean * mean : 0;
  let wB = 0, sumB = 0, best = 0, bestBetween = -1, bestLower = 1;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] as number;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] as number);
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    // Normalised by total², so it compares directly with the variance of the whole image.
    const between = (wB / total) * (wF / total) * (mB - mF) * (mB - mF);
    if (between > bestBetween) { bestBetween = between; best = t; bestLower = wB / total; }
  }
  return { threshold: best, separation: totalVar > 0 && bestBetween > 0 ? bestBetween / totalVar : 0, lowerClass: bestLower };
}

export function chooseThreshold(blurredSaturation: Uint8Array, params: Pick<TissueParams, 'method' | 'threshold'>): ThresholdChoice {
  if (params.method === 'fixed') return { threshold: params.threshold, rule: 'fixed', otsu: null, separation: null, minorClass: null };
  const o = otsuStats(blurredSaturation);
  const minorClass = Math.min(o.lowerClass, 1 - o.lowerClass);
  const base = { otsu: o.threshold, separation: o.separation, minorClass };
  if (o.separation < MIN_SEPARATION || minorClass < MIN_CLASS) return { threshold: params.threshold, rule: 'not-bimodal', ...base };
  if (o.threshold > params.threshold) return { threshold: params.threshold, rule: 'otsu-capped', ...base };
  return { threshold: o.threshold, rule: 'otsu', ...base };
}

/** One line for the UI, the CLI and the report. */
export function describeThreshold(c: Pick<ThresholdChoice, 'threshold' | 'rule' | 'otsu'>): string {
  switch (c.rule) {
    case 'fixed': return `fixed threshold ${c.threshold}`;
    case 'otsu': return `Otsu's threshold ${c.threshold}`;
    case 'otsu-capped': return `threshold ${c.threshold} (Otsu's ${c.otsu ?? '?'} capped by the configured maximum)`;
    case 'not-bimodal': return `configured threshold ${c.threshold} (saturation histogram not bimodal, Otsu's ${c.otsu ?? '?'} not used)`;
  }
}
