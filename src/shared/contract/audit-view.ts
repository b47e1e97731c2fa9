/**
 * The audit log as people browse it (issue 14 item 9): the filters of audit.list plus a user given by name (not
 * only a numeric id) and routine reads left out unless asked for — they were most of the list.
 */
import { z } from 'zod';
import { channel } from './define.ts';
import { AuditEvent, AuditFilter } from './audit.ts';

export const auditViewChannels = {
  'audit.browse': channel({
    request: AuditFilter.extend({
      /** User name or display name, case-insensitive, exact (as the list shows it). */
      userName: z.string().trim().min(1).max(120).optional(),
      /** Include the router's routine `read.*` events (default: left out). */
      includeReads: z.boolean().default(false),
    }).strict(),
    response: z.object({ total: z.number().int(), events: z.array(AuditEvent), readsHidden: z.number().int() }),
    access: 'any', summary: 'browse the audit log: audit.list filters, a user by name, routine reads hidden by default',
  }),
};
