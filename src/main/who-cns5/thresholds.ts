/**
 * The ONE place where copy-number values become calls (amplified, homozygously deleted, arm gained/lost).
 * Each profile source has its own cut-offs because sources encode copy number differently; the sources and the
 * reasons for each number are in docs/who-cns5.md ("CNV call thresholds").
 */
export interface CnvThresholds {
  /** Profile source these cut-offs belong to (shown with every classification). */
  profileSource: string;
  /** Gene-level value at or above which a gene counts as amplified. */
  geneAmplification: number;
  /** Gene-level value at or below which a gene counts as homozygously deleted. */
  geneHomozygousDeletion: number;
  /** Arm-level value at or above which an arm counts as gained. */
  armGain: number;
  /** Arm-level value at or below which an arm counts as lost. */
  armLoss: number;
  /** How the arm values are scaled, for the evidence text. */
  armUnit: string;
  geneUnit: string;
}

/**
 * TCGA-GBMLGG as released with Pathomic Fusion (all_dataset.csv):
 * - gene level: GISTIC 2.0 thresholded calls −2..2, where −2 = deep (homozygous) deletion and 2 = high-level
 *   amplification (Mermel et al., Genome Biol 2011;12:R41; the cBioPortal/TCGA convention);
 * - arm level: continuous arm values (exactly 0 when GISTIC made no broad call; the smallest non-zero magnitude in the
 *   table is about 0.1, GISTIC's default broad-event noise threshold). Gliofuse calls a gain at ≥ +0.2 and a loss at
 *   ≤ −0.2, i.e. twice the noise floor, and requires BOTH arms (whole-chromosome +7 and −10, as cIMPACT-NOW update 3
 *   specifies). The validation script reports how the molecular-glioblastoma count moves with 0.1 / 0.2 / 0.3.
 */
export const TCGA_GBMLGG_THRESHOLDS: CnvThresholds = {
  profileSource: 'tcga-gbmlgg',
  geneAmplification: 2,
  geneHomozygousDeletion: -2,
  armGain: 0.2,
  armLoss: -0.2,
  armUnit: 'TCGA arm-level value',
  geneUnit: 'GISTIC',
};

/**
 * A profile whose CNV fields are already categorical calls (−2 homozygous deletion … 2 amplification for genes;
 * −1 loss / 0 / +1 gain for arms), e.g. a laboratory report transcribed by hand.
 */
export const CATEGORICAL_CALLS_THRESHOLDS: CnvThresholds = {
  profileSource: 'categorical-calls',
  geneAmplification: 2,
  geneHomozygousDeletion: -2,
  armGain: 1,
  armLoss: -1,
  armUnit: 'arm call (−1 loss, 0, +1 gain)',
  geneUnit: 'call (−2 homozygous deletion … 2 amplification)',
};

export const PROFILE_SOURCES = { 'tcga-gbmlgg': TCGA_GBMLGG_THRESHOLDS, 'categorical-calls': CATEGORICAL_CALLS_THRESHOLDS } as const;
export type ProfileSource = keyof typeof PROFILE_SOURCES;
export const DEFAULT_PROFILE_SOURCE: ProfileSource = 'tcga-gbmlgg';

export function thresholdsFor(source: ProfileSource, override?: Partial<Omit<CnvThresholds, 'profileSource'>>): CnvThresholds {
  return { ...PROFILE_SOURCES[source], ...override };
}

export function describeThresholds(t: CnvThresholds): string {
  return `${t.profileSource}: gene amplification ${t.geneUnit} ≥ ${t.geneAmplification}, homozygous deletion ≤ ${t.geneHomozygousDeletion}; arm gain ≥ ${t.armGain}, loss ≤ ${t.armLoss} (${t.armUnit}, both arms)`;
}
