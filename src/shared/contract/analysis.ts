// Analysis-job, review/sign-off and report channels. Filled by the pipeline work; registered in ./index.ts.
import { z } from 'zod';
import { EDITORS, PATHOLOGIST_ONLY, channel } from './define.ts';
import { Id, IsoDateTime, Sha256Hex } from './common.ts';
import { CaseStatus } from './patients.ts';
import { AnalysisResult } from '../analysis-result.ts';
// ==== analysis jobs (owned by the pipeline work: src/main/analysis) ====

/** Pipeline stages in the order they run (docs/pipeline.md). */
export const ANALYSIS_STAGES = ['queued', 'tissue', 'tiling', 'encoding', 'inference', 'explanations', 'storing'] as const;
export const AnalysisStage = z.enum(ANALYSIS_STAGES);
export type AnalysisStage = z.infer<typeof AnalysisStage>;
export const ANALYSIS_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const AnalysisState = z.enum(ANALYSIS_STATES);
export type AnalysisState = z.infer<typeof AnalysisState>;

/** Counted progress of the current stage; etaSeconds is null until a rate has been measured. */
export const AnalysisProgress = z.object({
  stage: AnalysisStage,
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  etaSeconds: z.number().min(0).nullable(),
  /** True when the slide's features came from the feature cache (encoding skipped). */
  cached: z.boolean().optional(),
});
export type AnalysisProgress = z.infer<typeof AnalysisProgress>;

export const AnalysisError = z.object({ code: z.string(), message: z.string() });

export const AnalysisJobSummary = z.object({
  id: Id,
  caseId: Id,
  patientPseudonym: z.string(),
  slideId: Id.nullable(),
  genomicProfileId: Id.nullable(),
  modelId: z.string(),
  modelVersion: z.string(),
  state: AnalysisState,
  stage: AnalysisStage.nullable(),
  progress: AnalysisProgress.nullable(),
  error: AnalysisError.nullable(),
  requestedBy: z.string(),
  createdAt: IsoDateTime,
  startedAt: IsoDateTime.nullable(),
  finishedAt: IsoDateTime.nullable(),
});
export type AnalysisJobSummary = z.infer<typeof AnalysisJobSummary>;

export const AnalysisJob = AnalysisJobSummary.extend({ result: AnalysisResult.nullable() });
export type AnalysisJob = z.infer<typeof AnalysisJob>;

/** Pushed to the renderer (preload onEvent / bridge events) whenever a job changes state, stage or progress. */
export const ANALYSIS_EVENT_TOPIC = 'analysis.progress';
export const AnalysisProgressEvent = AnalysisJobSummary.pick({ id: true, caseId: true, state: true, stage: true, progress: true, error: true });
export type AnalysisProgressEvent = z.infer<typeof AnalysisProgressEvent>;

export const analysisJobChannels = {
  'analysis.start': channel({
    request: z.object({
      caseId: Id,
      /** Model package id (default: the first verified package). */
      modelId: z.string().min(1).max(64).optional(),
      /** Run on CPU even where a GPU execution provider exists (the "forceCpu" setting is the default). */
      forceCpu: z.boolean().optional(),
      /** Which of the case's slides (default: the most recently added). */
      slideId: Id.optional(),
      /**
       * Run slide QC (tissue, tile grid, quality flags; no encoding) although the model does not use the slide
       * (issue 13). A model validated for pathology always processes the slide.
       */
      slideQc: z.boolean().optional(),
      /** Try this onnxruntime execution provider first (CPU remains the fallback, with a cpu_fallback warning). */
      executionProvider: z.enum(['cuda', 'dml', 'coreml', 'webgpu', 'cpu']).optional(),
    }).strict(),
    response: AnalysisJobSummary,
    access: EDITORS,
    summary: 'queue an analysis of a case (slide and/or genomic profile) with a model package',
  }),
  'analysis.cancel': channel({
    request: z.object({ id: Id }).strict(),
    response: AnalysisJobSummary,
    access: EDITORS,
    summary: 'cancel a queued or running analysis',
  }),
  'analysis.get': channel({
    request: z.object({ id: Id }).strict(),
    response: AnalysisJob,
    access: 'any',
    auditRead: true,
    summary: 'one analysis: state, stage, progress, result and error',
  }),
  'analysis.list': channel({
    request: z.object({ caseId: Id }).strict(),
    response: z.object({ caseId: Id, patientPseudonym: z.string(), analyses: z.array(AnalysisJobSummary) }),
    access: 'any',
    auditRead: true,
    summary: "a case's analyses, newest first",
  }),
};
// ==== end analysis jobs ====

// ==== review / sign-off / report (owned by the sign-off & report work: src/main/signoff, src/main/report) ====
// Kept as one block so the job channels above/below can change independently.

/** CNS WHO grades are written in Arabic numerals in WHO CNS5; '' = not entered yet (drafts only). */
export const WHO_GRADES = ['1', '2', '3', '4', 'not assigned'] as const;
export const WhoGrade = z.enum(WHO_GRADES);
export type WhoGrade = z.infer<typeof WhoGrade>;
export const AiAgreement = z.enum(['accepted', 'overridden', 'not_used']);
export type AiAgreement = z.infer<typeof AiAgreement>;

/** The layered WHO CNS5 diagnosis as the pathologist enters it. */
export const LayeredDiagnosis = z.object({
  integratedDiagnosis: z.string().trim().max(500),
  histologicalClassification: z.string().trim().max(500),
  whoGrade: z.union([WhoGrade, z.literal('')]),
  molecularInformation: z.string().trim().max(2000),
  comment: z.string().trim().max(4000).default(''),
});
export type LayeredDiagnosis = z.infer<typeof LayeredDiagnosis>;

export const SignatureInfo = z.object({
  id: Id,
  signerName: z.string(),
  signerRole: z.string(),
  signedAt: IsoDateTime,
  sha256: Sha256Hex,
  /** The stored content still hashes to the stored sha256 (and, for the diagnosis, matches the diagnosis row). */
  verified: z.boolean(),
});

export const DiagnosisRecord = LayeredDiagnosis.extend({
  state: z.enum(['draft', 'signed']),
  aiAgreement: AiAgreement.nullable(),
  overrideReason: z.string().nullable(),
  analysisId: Id.nullable(),
  updatedBy: z.string(),
  updatedAt: IsoDateTime,
});

export const Addendum = z.object({ seq: z.number().int().min(1), text: z.string(), createdAt: IsoDateTime, signature: SignatureInfo });

/** What the AI suggested, reduced to what the sign-off form pre-fills and compares against. */
export const AiSuggestion = z.object({
  analysisId: Id,
  gradeLabel: z.string(),
  gradeP: z.number(),
  /** The top grade as a CNS WHO grade, when the label can be read as one (II -> 2). */
  whoGrade: WhoGrade.nullable(),
  classLabel: z.string(),
  classDisplay: z.string(),
  classP: z.number(),
  modelId: z.string(),
  modelVersion: z.string(),
});

export const Review = z.object({
  caseId: Id,
  patientPseudonym: z.string(),
  accession: z.string(),
  caseStatus: CaseStatus,
  /** The AI result under review (the requested analysis, else the newest succeeded one), exactly as stored. */
  ai: z.object({ analysisId: Id, finishedAt: z.string().nullable(), result: AnalysisResult }).nullable(),
  aiSuggestion: AiSuggestion.nullable(),
  diagnosis: DiagnosisRecord.nullable(),
  signature: SignatureInfo.nullable(),
  addenda: z.array(Addendum),
});
export type Review = z.infer<typeof Review>;

export const ReportRecord = z.object({
  id: Id,
  caseId: Id,
  analysisId: Id.nullable(),
  fileName: z.string(),
  sha256: Sha256Hex,
  bytes: z.number().int().nullable(),
  signed: z.boolean(),
  addendaCount: z.number().int(),
  createdBy: z.string(),
  createdAt: IsoDateTime,
  /** Where the PDF was kept under the data folder (null for reports written only to a file the user chose). */
  storedPath: z.string().nullable(),
});
export type ReportRecord = z.infer<typeof ReportRecord>;

/** cohort/km_by_risk_group.json of a model package (format: docs/model-package.md). */
export const KmGroup = z
  .object({
    name: z.string(),
    n: z.number().int().min(0),
    events: z.number().int().min(0),
    timesDays: z.array(z.number().min(0)),
    survival: z.array(z.number().min(0).max(1)),
    atRisk: z.array(z.number().int().min(0)),
  })
  .refine((g) => g.timesDays.length === g.survival.length && g.atRisk.length === g.timesDays.length, { message: 'timesDays, survival and atRisk need the same length' });
export const KmCurveSet = z.object({ description: z.string(), groups: z.array(KmGroup).min(1) });
export const KmCohort = z.looseObject({
  riskGroups: z.object({ names: z.array(z.string()).min(2), cutoffs: z.array(z.number()).min(1) }),
  curves: z.object({ outOfFold: KmCurveSet.optional(), apparent: KmCurveSet.optional() }),
  logRankP: z.object({ outOfFold: z.number().nullable().optional(), apparent: z.number().nullable().optional() }).optional(),
});
export type KmCohort = z.infer<typeof KmCohort>;

const CaseRef = z.object({ caseId: Id }).strict();
const SignRequest = z.object({
  caseId: Id,
  password: z.string().min(1).max(512),
  diagnosis: LayeredDiagnosis,
  aiAgreement: AiAgreement,
  overrideReason: z.string().trim().max(2000).nullable().optional(),
  /** The analysis the pathologist reviewed (default: the newest succeeded one). */
  analysisId: Id.nullable().optional(),
}).strict();

export const reviewChannels = {
  'review.get': channel({
    request: z.object({ caseId: Id, analysisId: Id.optional() }).strict(),
    response: Review, access: 'any', auditRead: true,
    summary: 'the AI result under review, the layered diagnosis (draft or signed), its signature and addenda',
  }),
  'review.saveDraft': channel({
    request: z.object({
      caseId: Id,
      diagnosis: LayeredDiagnosis,
      aiAgreement: AiAgreement.nullable().optional(),
      overrideReason: z.string().trim().max(2000).nullable().optional(),
      analysisId: Id.nullable().optional(),
    }).strict(),
    response: Review, access: PATHOLOGIST_ONLY, summary: 'save the unsigned layered diagnosis',
  }),
  'review.sign': channel({
    request: SignRequest, response: Review, access: PATHOLOGIST_ONLY,
    summary: 'sign the layered diagnosis (password re-entry); the case becomes signed and the diagnosis immutable',
  }),
  'review.addendum': channel({
    request: z.object({ caseId: Id, text: z.string().trim().min(1).max(4000), password: z.string().min(1).max(512) }).strict(),
    response: Review, access: PATHOLOGIST_ONLY, summary: 'add a dated, signed addendum to a signed case',
  }),
  'report.export': channel({
    request: z.object({ caseId: Id, analysisId: Id.optional() }).strict(),
    response: z.object({ report: ReportRecord, pdfBase64: z.string() }),
    access: 'any', summary: 'render the case report PDF (audited; its sha256 is stored)',
  }),
  'report.list': channel({
    request: CaseRef, response: z.object({ reports: z.array(ReportRecord) }), access: 'any', summary: 'reports exported for a case',
  }),
  'report.download': channel({
    request: z.object({ reportId: Id }).strict(),
    response: z.object({ report: ReportRecord, pdfBase64: z.string() }),
    access: 'any', summary: 'a previously exported report, checked against its stored sha256',
  }),
  'models.cohort': channel({
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.object({ modelId: z.string(), available: z.boolean(), reason: z.string().nullable(), packageDigest: z.string().nullable(), modelVersion: z.string().nullable(), cohort: KmCohort.nullable() }),
    access: 'any', summary: "a model package's training-cohort Kaplan-Meier curves per risk group",
  }),
};
// ==== end review / sign-off / report ====

export const analysisChannels = {
  ...analysisJobChannels,
  ...reviewChannels,
};
