// The original name and folder behind a pseudonymised file label (issue 12 §6). PHI: only roles that may see
// patient identifiers (src/main/auth/phi-access.ts), and every read is audited.
import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Id } from './common.ts';

export const FileKind = z.enum(['slide', 'genomic_profile']);

export const fileOriginChannels = {
  'files.origin': channel({
    request: z.object({ kind: FileKind, id: Id }).strict(),
    response: z.object({
      kind: FileKind,
      id: Id,
      patientPseudonym: z.string(),
      /** What the store, reports and exports show. */
      label: z.string(),
      /** The file's own name when it was added; null for files added before labels existed (their label is that name). */
      originalName: z.string().nullable(),
      originalPath: z.string().nullable(),
    }),
    // EDITORS are exactly the roles that may see PHI (admin, pathologist); viewers get FORBIDDEN.
    access: EDITORS, auditRead: true, summary: 'the original file name and folder behind a slide or profile label (PHI)',
  }),
};
