// The tile encoder (issue 13.1): its status for the Models page and installing it from a file the user chooses.
// Registered in ./index.ts; handlers in src/main/analysis/encoder-handlers.ts. Design notes: docs/pipeline.md.
import { z } from 'zod';
import { ADMIN_ONLY, channel } from './define.ts';
import { Sha256Hex } from './common.ts';

export const EncoderStatus = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  licence: z.string(),
  upstream: z.string(),
  installed: z.boolean(),
  /** Where the file in use comes from: shipped with the app, installed into the data folder, or set by the environment. */
  source: z.enum(['bundled', 'data-folder', 'explicit', 'package']).nullable(),
  path: z.string().nullable(),
  sha256: Sha256Hex.nullable(),
  /** The upstream file's pinned sha256 (what "Install encoder from file…" accepts, besides the derived graph). */
  upstreamSha256: Sha256Hex,
  /** Packages that name this encoder. */
  usedBy: z.array(z.string()),
  /** Why it cannot be used (a file that fails its check), when installed is false. */
  problem: z.string().nullable(),
});
export type EncoderStatus = z.infer<typeof EncoderStatus>;

export const encoderChannels = {
  'encoder.status': channel({
    request: z.object({}).strict(),
    response: z.object({ encoders: z.array(EncoderStatus) }),
    access: 'any',
    summary: 'tile encoder status: installed or not, from where, sha256, version, licence',
  }),
  'encoder.install': channel({
    request: z.object({ path: z.string().trim().min(1).max(4096), id: z.string().min(1).max(100).optional() }).strict(),
    response: EncoderStatus,
    access: ADMIN_ONLY,
    summary: 'install the tile encoder from a local file (sha256-checked against the pinned upstream or derived file; audited)',
  }),
};
