/**
 * Detaching a slide (issue 14 item 7). The row stays (analyses that used it still name it, the audit trail still
 * resolves), the file is not touched; the slide leaves the case's list, its slide count and the choice of slides for
 * a new analysis. A signed or archived case keeps its slides as they were.
 */
import type { Db } from '../store/db.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Actor } from '../../shared/actor.ts';
import { GliofuseError } from '../../shared/errors.ts';

interface DetachRow {
  id: number;
  case_id: number;
  file_name: string;
  hash: string;
  detached_at: string | null;
  status: string;
  accession: string;
  pseudonym: string;
}

export async function detachSlide(db: Db, audit: AuditLog, actor: Actor, id: number, reason: string, now = new Date()): Promise<{ caseId: number }> {
  return db.transaction(async (tx) => {
    const r = await tx.get<DetachRow>(
      `SELECT s.id, s.case_id, s.file_name, s.hash, s.detached_at, c.status, c.accession, p.pseudonym
         FROM slides s JOIN cases c ON c.id = s.case_id JOIN patients p ON p.id = c.patient_id WHERE s.id = ?`, [id]);
    if (!r) throw new GliofuseError('NOT_FOUND', `No slide with id ${id}.`);
    if (r.detached_at) throw new GliofuseError('CONFLICT', `Slide ${r.file_name} was already detached on ${r.detached_at.slice(0, 10)}.`);
    if (r.status === 'signed' || r.status === 'archived') throw new GliofuseError('CONFLICT', `Case ${r.accession} is ${r.status}; its slides stay as they were.`);
    const running = await tx.get<{ id: number }>("SELECT id FROM analyses WHERE slide_id = ? AND state IN ('queued', 'running') LIMIT 1", [id]);
    if (running) throw new GliofuseError('CONFLICT', `Analysis #${running.id} is using this slide; cancel it or let it finish first.`);
    await tx.run('UPDATE slides SET detached_at = ?, detached_by = ?, detach_reason = ? WHERE id = ?', [now.toISOString(), actor.userId, reason, id]);
    await audit.appendTx(tx, actor, {
      action: 'slide.detached', entityType: 'slide', entityId: id, patientPseudonym: r.pseudonym, reason,
      before: { caseId: r.case_id, fileName: r.file_name, hash: r.hash }, after: { caseId: r.case_id, detached: true },
    });
    return { caseId: r.case_id };
  });
}
