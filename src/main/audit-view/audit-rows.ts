/** Audit rows as the contract's AuditEvent, for the read-only views beside the audit log (case history, browse). */
import type { AuditEvent, AuditOutcome } from '../../shared/contract/audit.ts';

export interface AuditRow {
  seq: number; ts: string; user_id: number | null; user_name: string | null; action: string; entity_type: string | null;
  entity_id: string | null; patient_pseudonym: string | null; before_json: string | null; after_json: string | null;
  outcome: AuditOutcome; reason: string | null; app_version: string; prev_hash: string; hash: string;
}

const parse = (s: string | null): unknown => {
  if (s === null) return null;
  try { return JSON.parse(s) as unknown; } catch { return s; }
};

export function toAuditEvent(r: AuditRow): AuditEvent {
  return {
    seq: r.seq, ts: r.ts, userId: r.user_id, userName: r.user_name, action: r.action, entityType: r.entity_type,
    entityId: r.entity_id, patientPseudonym: r.patient_pseudonym, before: parse(r.before_json), after: parse(r.after_json),
    outcome: r.outcome, reason: r.reason, appVersion: r.app_version, prevHash: r.prev_hash, hash: r.hash,
  };
}
