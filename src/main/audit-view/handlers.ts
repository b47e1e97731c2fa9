/** Handler for src/shared/contract/audit-view.ts, beside the query it runs. */
import type { auditViewChannels } from '../../shared/contract/audit-view.ts';
import type { PartialHandlers } from '../handler-types.ts';
import type { Db } from '../store/db.ts';
import { browseAudit } from './browse.ts';

export function auditViewHandlers(d: { db: Db }): PartialHandlers<keyof typeof auditViewChannels> {
  return { 'audit.browse': async (req) => browseAudit(d.db, req) };
}
