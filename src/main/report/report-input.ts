/**
 * Everything one report shows, gathered before drawing starts so the renderer is a pure function of its input.
 * Two ways in: `reportInputFromResult` (the CLI's `gliofuse analyze`, from an AnalysisResult and case info) and
 * the store builder in report-service.ts (a case in the database: sign-off, addenda, slide row, audit head).
 * The input deliberately has no field for PHI (MRN, name, sex, birth year): the report cannot print what it is
 * never given.
 */
import type { AuditAnchor } from './audit-anchor.ts';
import type { AnalysisResult } from '../../shared/analysis-result.ts';
import type { WhoCaseView } from '../../shared/contract/who-cns5.ts';
import type { AiAgreement, LayeredDiagnosis } from '../../shared/contract/review.ts';
import type { KmCohort } from '../../shared/contract/report.ts';
import type { SlideThumbnail } from './heatmap-image.ts';

export interface ReportCase {
  /** Pseudonymous patient id. */
  patientPseudonym: string;
  /** The case id as the app shows it (database id or, for the CLI without a store, a run id). */
  caseId: string;
  accession: string | null;
  specimen?: string | null;
  site?: string | null;
  collectedOn?: string | null;
  receivedOn?: string | null;
  status?: string | null;
}

export interface ReportSignature {
  signerName: string;
  signerRole: string;
  signedAt: string;
  sha256: string;
  verified: boolean;
}

export interface ReportSignoff {
  diagnosis: Required<LayeredDiagnosis>;
  aiAgreement: AiAgreement | null;
  overrideReason: string | null;
  signature: ReportSignature;
}

export interface ReportAddendum {
  seq: number;
  text: string;
  signature: ReportSignature;
}

export interface ReportSlide {
  fileName: string | null;
  vendor: string | null;
  width: number | null;
  height: number | null;
  mppX: number | null;
  mppY: number | null;
  /** Allow-listed slide properties only (never label/macro content). */
  properties: Record<string, string>;
  qualityFlags: string[];
  hashKind: string | null;
  hash: string | null;
}

export interface ReportInput {
  generatedAt: string;
  generatedBy: string | null;
  appVersion: string;
  case: ReportCase;
  analysis: { analysisId: number | null; finishedAt: string | null; result: AnalysisResult } | null;
  /** Why there is no analysis (shown instead of the AI block). */
  noAnalysisReason?: string | null;
  signoff: ReportSignoff | null;
  /** An unsigned draft exists (it is never printed; the report only says so). */
  draftExists: boolean;
  addenda: ReportAddendum[];
  slide: ReportSlide | null;
  cohort: KmCohort | null;
  /** Why the cohort curves are not shown, when they are not. */
  cohortNote: string | null;
  slideThumbnail: SlideThumbnail | null;
  auditHead: AuditAnchor | null;
  /** The model package's intended-use text. */
  intendedUse: string | null;
  /** The case's WHO CNS5 criteria and AI disagreement (undefined = not applied, e.g. a CLI report from a result file). */
  whoCns5?: WhoCaseView | null;
}

/** For the CLI: a report from one AnalysisResult, with no sign-off (prints NOT SIGNED) and no store. */
export function reportInputFromResult(o: {
  result: AnalysisResult;
  case: ReportCase;
  appVersion: string;
  analysisId?: number | null;
  finishedAt?: string | null;
  generatedBy?: string | null;
  cohort?: KmCohort | null;
  cohortNote?: string | null;
  slide?: ReportSlide | null;
  slideThumbnail?: SlideThumbnail | null;
  auditHead?: AuditAnchor | null;
  intendedUse?: string | null;
  generatedAt?: string;
}): ReportInput {
  return {
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    generatedBy: o.generatedBy ?? null,
    appVersion: o.appVersion,
    case: o.case,
    analysis: { analysisId: o.analysisId ?? null, finishedAt: o.finishedAt ?? o.result.provenance.createdAt, result: o.result },
    signoff: null,
    draftExists: false,
    addenda: [],
    slide: o.slide ?? null,
    cohort: o.cohort ?? null,
    cohortNote: o.cohort ? null : (o.cohortNote ?? 'The model package provided no training-cohort Kaplan–Meier curves.'),
    slideThumbnail: o.slideThumbnail ?? null,
    auditHead: o.auditHead ?? null,
    intendedUse: o.intendedUse ?? null,
  };
}
