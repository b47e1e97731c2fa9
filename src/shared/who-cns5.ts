/**
 * The shape of a WHO CNS5 (2021) rule-based classification: what the rule engine (src/main/who-cns5/) returns, the
 * analysis result, the app and the PDF show. It is NOT an AI output: it applies published criteria to the measured
 * profile and the pathologist's histology findings (docs/who-cns5.md).
 */
import { z } from 'zod';

/** Histology findings as the pathologist enters them on the sign-off form; null = not assessed / not entered. */
export const HistologyFindings = z.object({
  necrosis: z.boolean().nullable(),
  microvascularProliferation: z.boolean().nullable(),
  /** Elevated (grade 3-level) mitotic activity / anaplasia; false = low (grade 2-level). */
  mitoticActivityElevated: z.boolean().nullable(),
}).strict();
export type HistologyFindings = z.infer<typeof HistologyFindings>;
export const NO_HISTOLOGY: HistologyFindings = { necrosis: null, microvascularProliferation: null, mitoticActivityElevated: null };

/**
 * Molecular findings the pathologist enters beside the histology (immunohistochemistry or outside tests a CNV
 * profile does not carry); null = not tested. They override nothing in the genomic profile: they fill fields the
 * profile lacks.
 */
export const CaseMarkers = z.object({
  tertPromoterMutant: z.boolean().nullable(),
  atrxLoss: z.boolean().nullable(),
  tp53Mutant: z.boolean().nullable(),
  h3K27M: z.boolean().nullable(),
  mgmtPromoterMethylated: z.boolean().nullable(),
}).strict();
export type CaseMarkers = z.infer<typeof CaseMarkers>;
export const NO_MARKERS: CaseMarkers = { tertPromoterMutant: null, atrxLoss: null, tp53Mutant: null, h3K27M: null, mgmtPromoterMethylated: null };

/** The adult-type diffuse glioma types of WHO CNS5 the rules decide between (null = none decided). */
export const WhoType = z.enum(['glioblastoma-idh-wildtype', 'astrocytoma-idh-mutant', 'oligodendroglioma-idh-mutant-codeleted']);
export type WhoType = z.infer<typeof WhoType>;

export const WhoCriterion = z.object({
  /** Stable id, e.g. "gbm.egfr-amplification". */
  id: z.string(),
  /** What the criterion establishes, in WHO CNS5 words. */
  statement: z.string(),
  /** Input field(s) the evidence came from. */
  field: z.string(),
  /** The measured value(s) as text. */
  value: z.string(),
  /** The cut-off or rule applied, e.g. "GISTIC ≥ 2". */
  threshold: z.string(),
  /** Citation key (docs/who-cns5.md). */
  source: z.string(),
});
export type WhoCriterion = z.infer<typeof WhoCriterion>;

export const WhoMissingInput = z.object({ field: z.string(), why: z.string() });

export const WhoClassification = z.object({
  /** Rule-set identifier (changes when a rule changes). */
  rules: z.string(),
  status: z.enum(['classified', 'NOS', 'NEC']),
  type: WhoType.nullable(),
  /** e.g. "Glioblastoma, IDH-wildtype" or "Diffuse glioma, NOS". */
  diagnosis: z.string(),
  /** A single CNS WHO grade in Arabic numerals when decided. */
  grade: z.enum(['2', '3', '4']).nullable(),
  /** Grades still possible when the grade is not decided (e.g. ["2","3"]). */
  gradeOptions: z.array(z.enum(['2', '3', '4'])),
  /** "CNS WHO grade 4", or "CNS WHO grade 2 or 3 — needs histology", or "" when no type is decided. */
  gradeText: z.string(),
  /** diagnosis + ", " + gradeText — the layered report's integrated diagnosis. */
  integratedDiagnosis: z.string(),
  /** Why the inputs do not decide (NOS / NEC / undecided grade); null when fully decided. */
  reason: z.string().nullable(),
  criteria: z.array(WhoCriterion),
  missing: z.array(WhoMissingInput),
  /** Conflicts and context a careful colleague would mention (never change the decision silently). */
  notes: z.array(z.string()),
  /** The molecular-information layer, one line (e.g. "IDH: wild-type; 1p/19q: not codeleted; EGFR: amplified (GISTIC 2)"). */
  molecularInformation: z.string(),
  /** The histological features grade from the findings entered, when they were (2, 3 or 4). */
  histologicalFeaturesGrade: z.enum(['2', '3', '4']).nullable(),
  /** The CNV call thresholds applied and the profile source they belong to. */
  thresholds: z.object({ profileSource: z.string(), summary: z.string() }),
});
export type WhoClassification = z.infer<typeof WhoClassification>;

/** Stated wherever the block is shown: it is rule-based, not AI. */
export const WHO_RULES_LABEL = 'Rule-based on the entered and measured data (WHO CNS5 2021, cIMPACT-NOW 3/5/6) — not AI';

/**
 * The AI grade head predicts the histological grade recorded in TCGA (pre-2021 WHO), not a CNS WHO grade; these are
 * the words the app and the PDF use for it (issue 10 item 5).
 */
export const AI_GRADE_TITLE = 'Histological grade (TCGA, pre-2021) — AI';

/** "III" / "G3" / "3" → "Histological grade 3 (TCGA, pre-2021)"; unreadable labels are shown as they are. */
export function aiGradeDisplay(label: string): string {
  const m = /^\s*(?:grade\s*|g)?\s*(IV|III|II|I|[1-4])\s*$/i.exec(label);
  const n = m?.[1] ? ({ I: 1, II: 2, III: 3, IV: 4 } as Record<string, number>)[m[1].toUpperCase()] ?? Number(m[1]) : null;
  return n ? `Histological grade ${n} (TCGA, pre-2021)` : label;
}
