/**
 * audit.browse (issue 14 item 9): audit.list's filters, plus a user given by name and routine reads left out by
 * default. Reads (`read.*`, one per opened patient, case or list) were most of the log, burying the changes people
 * look for; they stay one click away (includeReads) and are counted so the page can say how many are hidden.
 */
import type { Db } from '../store/db.ts';
import type { AuditEvent } from '../../shared/contract/audit.ts';
import { toAuditEvent, type AuditRow } from './audit-rows.ts';

export interface BrowseFilter {
  action?: string | undefined; entityType?: string | undefined; entityId?: string | undefined; patientPseudonym?: string | undefined;
  userId?: number | undefined; userName?: string | undefined; includeReads: boolean; limit: number; offset: number;
}

export async function browseAudit(db: Db, f: BrowseFilter): Promise<{ total: number; events: AuditEvent[]; readsHidden: number }> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (f.action) { where.push("action LIKE ? ESCAPE '\\'"); params.push(`${f.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`); }
  if (f.entityType) { where.push('entity_type = ?'); params.push(f.entityType); }
  if (f.entityId) { where.push('entity_id = ?'); params.push(f.entityId); }
  if (f.patientPseudonym) { where.push('patient_pseudonym = ?'); params.push(f.patientPseudonym); }
  if (f.userId !== undefined) { where.push('user_id = ?'); params.push(f.userId); }
  if (f.userName) {
    // The name as the list shows it (display name) or the sign-in name; the event keeps the display name of its time.
    where.push('(user_name = ? COLLATE NOCASE OR user_id IN (SELECT id FROM users WHERE username = ? COLLATE NOCASE OR display_name = ? COLLATE NOCASE))');
    params.push(f.userName, f.userName, f.userName);
  }
  const base = where.length ? where.join(' AND ') : '1 = 1';
  const w = f.includeReads ? base : `${base} AND action NOT LIKE 'read.%'`;
  const total = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_events WHERE ${w}`, params))?.n ?? 0;
  const readsHidden = f.includeReads ? 0 : ((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_events WHERE ${base} AND action LIKE 'read.%'`, params))?.n ?? 0);
  const rows = await db.all<AuditRow>(`SELECT * FROM audit_events WHERE ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`, [...params, f.limit, f.offset]);
  return { total, events: rows.map(toAuditEvent), readsHidden };
}
