/**
 * WHO CNS5 rule-engine channels (src/main/who-cns5/, docs/who-cns5.md): classify a profile file, the criteria of a
 * case (its genomic profile + the pathologist's histology findings) with the AI disagreement and the proposed
 * layered diagnosis, and saving the histology findings. Registered in ./index.ts.
 */
import { z } from 'zod';
import { PATHOLOGIST_ONLY, channel } from './define.ts';
import { Id } from './common.ts';
import { CaseMarkers, HistologyFindings, WhoClassification } from '../who-cns5.ts';

export const PROFILE_SOURCE_IDS = ['tcga-gbmlgg', 'categorical-calls'] as const;
export const ProfileSourceId = z.enum(PROFILE_SOURCE_IDS);

export const ClassifiedRow = z.object({
  /** The row's id (id column) or null when the file has none. */
  rowId: z.string().nullable(),
  /** 1-based line in the file (CSV) or null (JSON). */
  line: z.number().int().nullable(),
  result: WhoClassification,
});
export type ClassifiedRow = z.infer<typeof ClassifiedRow>;

/** One thing that disagrees between the AI class, the AI grade and the criteria. */
export const WhoDisagreement = z.object({
  code: z.enum(['ai-class-vs-ai-grade', 'ai-class-vs-criteria-type', 'ai-class-vs-criteria-grade', 'ai-grade-vs-criteria-grade']),
  message: z.string(),
});
export type WhoDisagreement = z.infer<typeof WhoDisagreement>;

/** The rules' layered diagnosis offered on the sign-off form. */
export const LayeredProposal = z.object({
  integratedDiagnosis: z.string(),
  /** '' when the rules leave the grade open. */
  whoGrade: z.enum(['2', '3', '4', '']),
  molecularInformation: z.string(),
});
export type LayeredProposal = z.infer<typeof LayeredProposal>;

/**
 * The package's clinical reference risk (a Cox model on IDH + 1p/19q + age, not AI) for the values the analysis
 * used, beside UMEML's risk; risk is null (and `missing` names the fields) when a term's value was not measured.
 */
export const ClinicalReferenceView = z.object({
  modelId: z.string(),
  label: z.string(),
  risk: z.number().nullable(),
  riskGroup: z.string().nullable(),
  missing: z.array(z.string()),
  cIndexMean: z.number(),
  cIndexSd: z.number(),
  splits: z.number().int(),
  /** The package's measured added value of the AI over this model, one sentence. */
  addedValueLine: z.string(),
  /** Which survival figure is shown first. */
  primarySurvival: z.enum(['clinical-reference', 'umeml']),
  /** UMEML's risk group for the same case, for the side-by-side line. */
  aiRiskGroup: z.string(),
});
export type ClinicalReferenceView = z.infer<typeof ClinicalReferenceView>;

export const WhoCaseView = z.object({
  caseId: Id,
  patientPseudonym: z.string(),
  /** The analysis whose AI result was compared (the requested one, else the newest succeeded), if any. */
  analysisId: Id.nullable(),
  /** The genomic profile the criteria were computed from, if the case has one. */
  genomicProfileId: Id.nullable(),
  histology: HistologyFindings,
  /** Molecular findings entered with the histology (not from the profile). */
  markers: CaseMarkers,
  histologyUpdatedBy: z.string().nullable(),
  histologyUpdatedAt: z.string().nullable(),
  /** null when the case has no genomic profile (the reason says so). */
  criteria: WhoClassification.nullable(),
  unavailableReason: z.string().nullable(),
  disagreements: z.array(WhoDisagreement),
  proposal: LayeredProposal.nullable(),
  /** null when there is no AI result, or its package carries no clinical reference (reason in clinicalReferenceNote). */
  clinicalReference: ClinicalReferenceView.nullable(),
  clinicalReferenceNote: z.string().nullable(),
});
export type WhoCaseView = z.infer<typeof WhoCaseView>;

export const whoCns5Channels = {
  'who.classify': channel({
    request: z.object({
      fileName: z.string().min(1).max(260),
      content: z.string().max(64 * 1024 * 1024),
      /** One row of a multi-row CSV. */
      rowId: z.string().trim().min(1).max(200).optional(),
      /** Every row of the CSV. */
      all: z.boolean().optional(),
      profileSource: ProfileSourceId.default('tcga-gbmlgg'),
    }).strict(),
    response: z.object({ profileSource: ProfileSourceId, thresholds: z.string(), columns: z.array(z.string()), rows: z.array(ClassifiedRow) }),
    access: 'any',
    summary: 'apply the WHO CNS5 rules to a genomic profile file (CSV or JSON), one row or all',
  }),
  'who.case': channel({
    request: z.object({ caseId: Id, analysisId: Id.optional() }).strict(),
    response: WhoCaseView,
    access: 'any',
    auditRead: true,
    summary: "a case's WHO CNS5 molecular criteria, disagreement with the AI and the proposed layered diagnosis",
  }),
  'who.saveHistology': channel({
    request: z.object({ caseId: Id, histology: HistologyFindings, markers: CaseMarkers.optional(), analysisId: Id.optional() }).strict(),
    response: WhoCaseView,
    access: PATHOLOGIST_ONLY,
    summary: 'save the histology findings (necrosis, microvascular proliferation, mitotic activity) the rules use',
  }),
};
