/** Handlers for src/shared/contract/case-records.ts (slide detach, case history), beside their services. */
import type { caseRecordChannels } from '../../shared/contract/case-records.ts';
import { GliofuseError } from '../../shared/errors.ts';
import type { PartialHandlers } from '../handler-types.ts';
import type { Db } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { detachSlide } from './slide-detach.ts';
import { caseHistory } from './case-history.ts';

export function caseRecordHandlers(d: { db: Db; audit: AuditLog }): PartialHandlers<keyof typeof caseRecordChannels> {
  return {
    'slides.detach': async (req, ctx) => {
      if (!ctx.actor) throw new GliofuseError('UNAUTHENTICATED', 'Please sign in first.');
      const { caseId } = await detachSlide(d.db, d.audit, ctx.actor, req.id, req.reason);
      return { ok: true as const, caseId };
    },
    'cases.history': async (req) => caseHistory(d.db, req),
  };
}
