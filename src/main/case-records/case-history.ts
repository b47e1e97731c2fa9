/**
 * A case's History tab (issue 14 item 7): the audit events of the case and of everything attached to it — its
 * slides (attached, µm/px entered, detached, label viewed), genomic profiles and analyses — newest first. Those
 * events name their own entity (slide 12, analysis 7), so the case's own entity filter missed them and they were
 * only in the global audit log. Read-only: the events are the audit log's rows, mapped as audit.list maps them.
 */
import type { Db } from '../store/db.ts';
import type { AuditEvent } from '../../shared/contract/audit.ts';
import { GliofuseError } from '../../shared/errors.ts';
import { toAuditEvent, type AuditRow } from '../audit-view/audit-rows.ts';

/** The entities that belong to a case, as (entity_type, entity_id) pairs the audit log uses. */
const BELONGS = `(entity_type = 'case' AND entity_id = ?)
  OR (entity_type = 'slide' AND entity_id IN (SELECT CAST(id AS TEXT) FROM slides WHERE case_id = ?))
  OR (entity_type = 'genomic_profile' AND entity_id IN (SELECT CAST(id AS TEXT) FROM genomic_profiles WHERE case_id = ?))
  OR (entity_type = 'analysis' AND entity_id IN (SELECT CAST(id AS TEXT) FROM analyses WHERE case_id = ?))`;

export async function caseHistory(db: Db, q: { caseId: number; limit: number; offset: number }): Promise<{ total: number; events: AuditEvent[] }> {
  if (!(await db.get('SELECT 1 FROM cases WHERE id = ?', [q.caseId]))) throw new GliofuseError('NOT_FOUND', `No case with id ${q.caseId}.`);
  const id = String(q.caseId);
  const params = [id, q.caseId, q.caseId, q.caseId];
  const total = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_events WHERE ${BELONGS}`, params))?.n ?? 0;
  const rows = await db.all<AuditRow>(`SELECT * FROM audit_events WHERE ${BELONGS} ORDER BY seq DESC LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
  return { total, events: rows.map(toAuditEvent) };
}
