// Report channels (docs/report.md): the case report PDF and a package's training-cohort Kaplan–Meier curves.
// Registered in ./index.ts; handlers in src/main/report/handlers.ts.
import { z } from 'zod';
import { channel } from './define.ts';
import { Id, IsoDateTime, Sha256Hex } from './common.ts';

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

export const reportChannels = {
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
