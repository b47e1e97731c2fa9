/**
 * Turns the UMEML outputs, explanations, warnings and provenance into the one AnalysisResult shape that the UI,
 * the PDF report, result.json and the predictions table all carry (src/shared/analysis-result.ts).
 */
import { AnalysisResult, type GenomicAttribution, type HeatmapGrid, type Provenance, type Warning } from '../../shared/analysis-result.ts';
import type { ModelManifest } from '../../shared/model-manifest.ts';
import { RUO_STATEMENT } from '../../shared/ruo.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { NO_HISTOLOGY, type WhoClassification } from '../../shared/who-cns5.ts';
import { classify } from '../who-cns5/engine.ts';
import { inputsFromValues } from '../who-cns5/inputs.ts';
import { DEFAULT_PROFILE_SOURCE, thresholdsFor } from '../who-cns5/thresholds.ts';
import { disagreements } from '../who-cns5/disagreement.ts';

const ROMAN: Record<string, number> = { I: 1, II: 2, III: 3, IV: 4 };

/**
 * "II" → "Histological grade 2 (TCGA, pre-2021)": the grade head predicts the histological grade recorded in TCGA
 * (pre-2021 WHO), not a CNS WHO grade (docs/who-cns5.md); Arabic numerals as elsewhere. Other labels as they are.
 */
export function gradeDisplay(label: string): string {
  const n = ROMAN[label.trim().toUpperCase()] ?? (/^[1-4]$/.test(label.trim()) ? Number(label.trim()) : null);
  return n ? `Histological grade ${n} (TCGA, pre-2021)` : label;
}

/** r < c0 → names[0]; c_{k-1} ≤ r < c_k → names[k]; r ≥ c_last → names[last] (docs/model-package.md). */
export function riskGroupOf(risk: number, cutoffs: readonly number[], names: readonly string[]): string {
  let k = 0;
  while (k < cutoffs.length && risk >= (cutoffs[k] as number)) k++;
  return names[k] ?? names[names.length - 1] ?? 'unknown';
}

function argmax(a: readonly number[]): number {
  let best = 0;
  a.forEach((v, i) => { if (v > (a[best] as number)) best = i; });
  return best;
}

const clamp01 = (p: number) => (p < 0 ? 0 : p > 1 ? 1 : p);

/**
 * The WHO CNS5 criteria on the genomic values the model received (measured ones only: imputed fields are missing),
 * and what disagrees with the AI's class and grade. Omitted when no genomic value was given.
 */
function whoCns5OfAttributions(attrs: readonly GenomicAttribution[], r: { grade: { probs: { label: string; p: number }[]; top: string }; molecularClass: { probs: { label: string; display: string; p: number }[]; top: string } }): { whoCns5?: WhoClassification; disagreements?: { code: string; message: string }[] } {
  if (!attrs.some((a) => !a.imputed && a.value !== null)) return {};
  const values: Record<string, number | null> = {};
  for (const a of attrs) values[a.featureId] = a.imputed ? null : a.value;
  let inputs;
  try {
    inputs = inputsFromValues(values);
  } catch {
    return {}; // a value outside the rules' ranges (another package's schema): no criteria rather than a guess
  }
  const whoCns5 = classify(inputs, NO_HISTOLOGY, thresholdsFor(DEFAULT_PROFILE_SOURCE));
  const cls = r.molecularClass.probs.find((x) => x.label === r.molecularClass.top);
  const ai = cls ? { classLabel: cls.label, classDisplay: cls.display, gradeLabel: r.grade.top } : null;
  return { whoCns5, disagreements: disagreements(ai, whoCns5) };
}

export interface ResultParts {
  manifest: ModelManifest;
  output: {
    gradeProbs: number[];
    classProbs: number[];
    hazards: number[];
    survival: number[];
    risk: number;
    modalityContributions: { pathology: number; genomics: number };
  };
  heatmap: HeatmapGrid | null;
  topPatches: { x: number; y: number; size: number; score: number; prototype: number | null }[];
  genomicAttributions: GenomicAttribution[];
  genomicAttributionMethod: string;
  pathologyIsEvidence: boolean;
  warnings: Warning[];
  provenance: Provenance;
}

export function buildResult(p: ResultParts): AnalysisResult {
  const m = p.manifest;
  const gradeProbs = m.labels.grade.map((label, i) => ({ label, display: gradeDisplay(label), p: clamp01(p.output.gradeProbs[i] ?? 0) }));
  const classProbs = m.labels.class.map((label, i) => ({ label, display: m.labels.classDisplay[i] ?? label, p: clamp01(p.output.classProbs[i] ?? 0) }));
  const rg = m.survival.riskGroups;
  const candidate = {
    grade: { probs: gradeProbs, top: m.labels.grade[argmax(p.output.gradeProbs)] ?? '' },
    molecularClass: { probs: classProbs, top: m.labels.class[argmax(p.output.classProbs)] ?? '' },
    survival: {
      binEdgesDays: [...m.survival.binEdgesDays],
      hazards: p.output.hazards,
      curve: p.output.survival,
      risk: p.output.risk,
      riskGroup: riskGroupOf(p.output.risk, rg.cutoffs, rg.names),
      riskGroupCutoffs: [...rg.cutoffs],
      cutoffSource: rg.source,
    },
    modalityContributions: p.output.modalityContributions,
    explanations: {
      heatmap: p.pathologyIsEvidence ? p.heatmap : null,
      topPatches: p.pathologyIsEvidence ? p.topPatches : [],
      genomicAttributions: p.genomicAttributions,
      genomicAttributionMethod: p.genomicAttributionMethod,
      pathologyIsEvidence: p.pathologyIsEvidence,
    },
    warnings: p.warnings,
    provenance: p.provenance,
    ruo: RUO_STATEMENT,
  };
  const who = whoCns5OfAttributions(p.genomicAttributions, candidate);
  const parsed = AnalysisResult.safeParse({ ...candidate, ...who });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new GliofuseError('INTERNAL', `The analysis produced a result that does not match the result schema (${i ? `${i.path.join('.')}: ${i.message}` : 'invalid'}).`);
  }
  return parsed.data;
}
