// Review / sign-off channels (docs/signoff.md): the layered diagnosis, its signature and addenda. Registered in
// ./index.ts; handlers in src/main/signoff/handlers.ts.
import { z } from 'zod';
import { PATHOLOGIST_ONLY, channel } from './define.ts';
import { Id, IsoDateTime, Sha256Hex } from './common.ts';
import { CaseStatus } from './patients.ts';
import { AnalysisResult } from '../analysis-result.ts';

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
};
