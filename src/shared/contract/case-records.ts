/**
 * A case's own records (issue 14 item 7): detaching a slide attached by mistake (audited, with a reason; the file is
 * never deleted) and the case's history across its slides, genomic profiles and analyses.
 */
import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Id, Paging } from './common.ts';
import { AuditEvent } from './audit.ts';

export const caseRecordChannels = {
  'slides.detach': channel({
    request: z.object({ id: Id, reason: z.string().trim().min(3, 'say why, in a few words').max(500) }).strict(),
    response: z.object({ ok: z.literal(true), caseId: Id }),
    access: EDITORS, summary: 'detach a slide from its case (audited slide.detached with the reason; the file stays where it is)',
  }),
  'cases.history': channel({
    request: Paging.extend({ caseId: Id }).strict(),
    response: z.object({ total: z.number().int(), events: z.array(AuditEvent) }),
    access: 'any', summary: "a case's audit trail: the case itself and its slides, genomic profiles and analyses, newest first",
  }),
};
