/**
 * The stored, displayed and reported shape of one analysis result. The UI, the PDF report, result.json from the
 * CLI and the `predictions` table all carry exactly this object, so they cannot disagree.
 */
import { z } from 'zod';
import { WhoClassification } from './who-cns5.ts';

export const Modality = z.enum(['pathology', 'genomics', 'clinical']);
export type Modality = z.infer<typeof Modality>;

export const LabelledProb = z.object({ label: z.string(), display: z.string(), p: z.number().min(0).max(1) });

export const Warning = z.object({
  code: z.enum([
    'unvalidated_modality', // the case had a modality the package is not validated for: it was not used
    'modality_missing', // the package can use a modality the case does not have
    'imputed_genomic_fields',
    'quality_flag', // from the slide engine (little tissue, missing MPP, fluorescence, ...)
    'cpu_fallback',
    'no_tissue',
    // the case has a slide but it was left out: tile encoder not installed, no µm/px, file gone (issue 13)
    'slide_skipped',
    'other',
  ]),
  severity: z.enum(['critical', 'warning', 'info']),
  message: z.string(),
});
export type Warning = z.infer<typeof Warning>;

/**
 * Heatmap grid format (documented in docs/pipeline.md): cell (i, j) covers level-0 pixels
 * [originX + i*spacingX, originX + (i+1)*spacingX) × [originY + j*spacingY, …); `values` is row-major
 * (width × height), null where no tile was analysed; `valueRange` is the [min, max] of the raw values before
 * display normalisation; `normalisation` says how the UI maps them to colours.
 */
export const HeatmapGrid = z.object({
  originX: z.number(),
  originY: z.number(),
  spacingX: z.number().positive(),
  spacingY: z.number().positive(),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
  values: z.array(z.number().nullable()),
  valueRange: z.tuple([z.number(), z.number()]),
  quantity: z.string(), // e.g. "attention weight (prototype assignment × attention), sums to 1 over tissue tiles"
  normalisation: z.string(), // e.g. "min–max over this slide's tiles"
});
export type HeatmapGrid = z.infer<typeof HeatmapGrid>;

export const TopPatch = z.object({ x: z.number(), y: z.number(), size: z.number(), score: z.number(), prototype: z.number().int().nullable() });

/**
 * attribution = Δrisk: risk with the observed value − risk with the field treated as missing (positive = raises
 * risk); deltaTopClassProb = the same difference for the top molecular class's probability (docs/pipeline.md).
 */
export const GenomicAttribution = z.object({ featureId: z.string(), display: z.string(), value: z.number().nullable(), imputed: z.boolean(), attribution: z.number(), deltaTopClassProb: z.number().optional() });
export type GenomicAttribution = z.infer<typeof GenomicAttribution>;

export const Provenance = z.object({
  modelId: z.string(),
  modelVersion: z.string(),
  modelSha256: z.string(),
  packageDigest: z.string(),
  validatedModalities: z.array(Modality),
  usedModalities: z.array(Modality),
  executionProvider: z.string(),
  onnxruntimeVersion: z.string(),
  /** variant: the int8 file, or its float derivation run on a GPU provider (docs/inference.md). */
  tileEncoder: z.object({ id: z.string(), sha256: z.string(), variant: z.enum(['int8', 'float32']).optional() }).nullable(),
  preprocessing: z.record(z.string(), z.unknown()), // tiling + tissue + normalisation parameters
  slide: z.object({ hashKind: z.string(), hash: z.string(), fileName: z.string() }).nullable(),
  genomics: z.object({ sourceSha256: z.string(), fileName: z.string() }).nullable(),
  appVersion: z.string(),
  createdAt: z.string(),
});
export type Provenance = z.infer<typeof Provenance>;

export const AnalysisResult = z.object({
  grade: z.object({ probs: z.array(LabelledProb), top: z.string() }),
  molecularClass: z.object({ probs: z.array(LabelledProb), top: z.string() }),
  survival: z.object({
    binEdgesDays: z.array(z.number().nullable()),
    hazards: z.array(z.number()),
    curve: z.array(z.number()), // S(t) at the end of each bin
    risk: z.number(),
    riskGroup: z.string(),
    riskGroupCutoffs: z.array(z.number()),
    cutoffSource: z.string(),
  }),
  modalityContributions: z.object({ pathology: z.number(), genomics: z.number() }),
  explanations: z.object({
    heatmap: HeatmapGrid.nullable(),
    topPatches: z.array(TopPatch),
    genomicAttributions: z.array(GenomicAttribution),
    genomicAttributionMethod: z.string(),
    /** false when the pathway is not validated by the package: the UI and report must not show it as evidence. */
    pathologyIsEvidence: z.boolean(),
  }),
  warnings: z.array(Warning),
  provenance: Provenance,
  ruo: z.string(),
  /**
   * WHO CNS5 criteria on the genomic values this analysis used, before any histology is entered (rule-based, not
   * AI; docs/who-cns5.md). The app and the PDF re-apply them with the pathologist's histology findings.
   */
  whoCns5: WhoClassification.optional(),
  /** What disagrees between the AI class, the AI grade and those criteria, one line each (empty = agreement). */
  disagreements: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
});
export type AnalysisResult = z.infer<typeof AnalysisResult>;
