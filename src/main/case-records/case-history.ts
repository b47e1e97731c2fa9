/**
 * A case's History tab (issue 14 item 7): the audit events of the case and of everything attached to it — its
 * slides (attached, µm/px entered, detached, label viewed), genomic profiles and analyses — newest first. Those
 * events name their own entity (slide 12, analysis 7), so the case's own entity filter missed them and they were
 * only in the global audit log. Read-only: the events are the audit log's rows, mapped as audit.list maps them.
 */
import type { Db } from '../store/db.ts';
import type { AuditEvent, AuditOutcome } from '../../shared/contract/audit.ts';
import { GliofuseError } from '../../shared/errors.ts';

interface Row {
  seq: number; ts: string; user_id: number | null; user_name: string | null; action: string; entity_type: string | null;
  entity_id: string | null; patient_pseudonym: string | null; before_json: string | null; after_json: string | null;
  outcome: AuditOutcome; reason: string | null; app_version: string; prev_hash: string; hash: string;
}

const parse = (s: string | null): unknown => {
  if (s === null) return null;
  try { return JSON.parse(s) as unknown; } catch { return s; }
};

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
  const rows = await db.all<Row>(`SELECT * FROM audit_events WHERE ${BELONGS} ORDER BY seq DESC LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
  return {
    total,
    events: rows.map((r) => ({
      seq: r.seq, ts: r.ts, userId: r.user_id, userName: r.user_name, action: r.action, entityType: r.entity_type,
      entityId: r.entity_id, patientPseudonym: r.patient_pseudonym, before: parse(r.before_json), after: parse(r.after_json),
      outcome: r.outcome, reason: r.reason, appVersion: r.app_version, prevHash: r.prev_hash, hash: r.hash,
    })),
  };
}
