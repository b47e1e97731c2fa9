// Model-package and genomic-profile channels (docs/inference.md, docs/genomics.md). Registered in ./index.ts.
import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Empty, Id, IsoDateTime, Sha256Hex } from './common.ts';
import { MODALITIES, ModelManifest, PackageId } from '../model-manifest.ts';

export const PackageSource = z.enum(['bundled', 'user']);

export const PackageVerification = z.object({
  ok: z.boolean(),
  /** One sentence naming the file that failed (null when ok). */
  reason: z.string().nullable(),
  problems: z.array(z.object({ file: z.string(), problem: z.string() })),
  unlistedFiles: z.array(z.string()),
  /** sha256 of manifest.json's bytes = the package digest. */
  digest: Sha256Hex.nullable(),
  checkedAt: IsoDateTime,
});
export type PackageVerification = z.infer<typeof PackageVerification>;

export const PackageSummary = z.object({
  /** The manifest id, or the folder name when the manifest could not be read. */
  id: z.string(),
  name: z.string().nullable(),
  version: z.string().nullable(),
  /** Null for a folder checked outside the model folders (`gliofuse models verify DIR`). */
  source: PackageSource.nullable(),
  dir: z.string(),
  validatedModalities: z.array(z.enum(MODALITIES)),
  /** False when another copy with the same id takes precedence (a user import over a bundled package). */
  active: z.boolean(),
  verification: PackageVerification,
});
export type PackageSummary = z.infer<typeof PackageSummary>;

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

export const modelChannels = {
  'models.list': channel({
    request: Empty,
    response: z.object({ packages: z.array(PackageSummary) }),
    access: 'any', summary: 'installed model packages (bundled and imported) with their verification status',
  }),
  'models.get': channel({
    request: z.object({ id: PackageId }).strict(),
    response: z.object({
      summary: PackageSummary,
      /** Null when the package failed verification before its manifest could be trusted. */
      manifest: ModelManifest.nullable(),
      /** MODEL_CARD.md text; only served from a verified package. */
      modelCard: z.string().nullable(),
    }),
    access: 'any', summary: 'one package: manifest, model card and verification status',
  }),
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
