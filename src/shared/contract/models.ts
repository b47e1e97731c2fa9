// Model-package channels (docs/inference.md, docs/model-package.md). Registered in ./index.ts.
import { z } from 'zod';
import { channel } from './define.ts';
import { Empty, IsoDateTime, Sha256Hex } from './common.ts';
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
};
