// Genomic-profile channels (docs/genomics.md): check a profile against a package's schema, store it with a case,
// read a case's profiles. Registered in ./index.ts; handlers in src/main/genomics/handlers.ts.
import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Id, IsoDateTime, Sha256Hex } from './common.ts';
import { PackageId } from '../model-manifest.ts';

export const GenomicFieldReport = z.object({
  featureId: z.string(),
  displayName: z.string(),
  source: z.string().nullable(),
  status: z.enum(['observed', 'imputed', 'error']),
  raw: z.string().nullable(),
  value: z.number().nullable(),
  normalised: z.number().nullable(),
  message: z.string().nullable(),
});

export const GenomicValidationReport = z.object({
  ok: z.boolean(),
  format: z.enum(['csv', 'json']),
  modelId: z.string(),
  modelVersion: z.string(),
  rowId: z.string().nullable(),
  observed: z.number().int(),
  imputed: z.number().int(),
  fields: z.array(GenomicFieldReport),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
  notes: z.array(z.string()),
});

export const GenomicProfile = z.object({
  id: Id,
  caseId: Id,
  patientPseudonym: z.string(),
  sourceFileName: z.string(),
  sourceSha256: Sha256Hex,
  modelId: z.string(),
  input: z.object({
    values: z.record(z.string(), z.number().nullable()),
    vector: z.array(z.number()),
    mask: z.array(z.number()),
  }),
  report: GenomicValidationReport,
  addedBy: z.string().nullable(),
  addedAt: IsoDateTime,
});
export type GenomicProfile = z.infer<typeof GenomicProfile>;

/** Profiles are small (the public 769-patient table is 170 kB); the cap keeps a wrong file from flooding IPC. */
const ProfileContent = z.string().min(1).max(5 * 1024 * 1024);
const FileName = z.string().trim().min(1).max(255);
const RowId = z.string().trim().min(1).max(128);

export const genomicsChannels = {
  'genomics.validate': channel({
    request: z.object({ fileName: FileName, content: ProfileContent, rowId: RowId.optional(), modelId: PackageId }).strict(),
    response: GenomicValidationReport,
    access: 'any', summary: 'check a genomic profile against a package schema without storing it',
  }),
  'genomics.import': channel({
    request: z.object({ caseId: Id, fileName: FileName, content: ProfileContent, rowId: RowId.optional(), modelId: PackageId }).strict(),
    response: GenomicProfile,
    access: EDITORS, summary: 'validate and store a genomic profile for a case (audited genomics.imported)',
  }),
  'genomics.get': channel({
    request: z.object({ caseId: Id }).strict(),
    response: z.object({ caseId: Id, patientPseudonym: z.string(), profiles: z.array(GenomicProfile) }),
    access: 'any', auditRead: true, summary: 'genomic profiles of a case, newest first',
  }),
};
