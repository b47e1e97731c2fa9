// Analysis-job, review/sign-off and report channels. Filled by the pipeline work; registered in ./index.ts.
import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Id, IsoDateTime, Sha256Hex } from './common.ts';
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

export const analysisChannels = {
  ...analysisJobChannels,
};
