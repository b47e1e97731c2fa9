/**
 * Which status changes a person may make by hand (issue 14 item 6). The workflow statuses are the system's:
 * "Analysing" and "Ready for review" are set by the analysis jobs, "Signed" only by signing the report. A person
 * archives a case or reopens an archived one (back to the status it had before), each with a reason, so the
 * worklist never says "Ready for review" about a case nobody analysed.
 */
import type { CASE_STATUSES } from '../../shared/contract/patients.ts';
import { GliofuseError, badInput } from '../../shared/errors.ts';

type CaseStatus = (typeof CASE_STATUSES)[number];

/** The status an archived case returns to: the last one before the newest archive step (history oldest first). */
export function statusBeforeArchive(history: readonly { status: CaseStatus }[]): CaseStatus {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]!.status !== 'archived') return history[i]!.status;
  }
  return 'new';
}

/** Throws the one-line reason when `current → target` is not a move a person may make; returns otherwise. */
export function checkManualMove(current: CaseStatus, target: CaseStatus, beforeArchive: CaseStatus, note: string | undefined): void {
  if (current === target) return;
  const reopening = current === 'archived' && target === beforeArchive;
  if (target !== 'archived' && !reopening) {
    if (current === 'archived') throw new GliofuseError('CONFLICT', `An archived case is reopened to the status it had before (${beforeArchive.replace(/_/g, ' ')}).`);
    if (current === 'signed') throw new GliofuseError('CONFLICT', 'A signed case can only be archived; corrections are made as addenda.');
    throw new GliofuseError('CONFLICT', target === 'signed'
      ? 'A case is signed only by signing its report (Report tab).'
      : 'Analysing and Ready for review are set by the system when an analysis runs; by hand a case can only be archived or reopened.');
  }
  if (!note || note.trim().length < 3) throw badInput(reopening ? 'Say why the case is reopened (kept in the audit log).' : 'Say why the case is archived (kept in the audit log).');
}
