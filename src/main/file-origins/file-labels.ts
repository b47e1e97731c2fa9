/**
 * Pseudonymised labels for the files a case is built from (issue 12 §6; docs/input-validation.md). People name
 * files after patients ("Surname_MRN-4471-9923.svs"); the label is what the store, the PDF, result.json, the
 * audit log and exports carry: the patient's pseudonym, the file's sequence number among that patient's slides
 * (S) or genomic profiles (G), and the first six hex digits of its content hash — GLIO-0001-S2-3fa9c1. The name
 * and folder it came from go to source_file_phi, readable only by roles that may see PHI.
 */
import type { Tx } from '../store/db.ts';
import { GliofuseError } from '../../shared/errors.ts';

export type FileKind = 'slide' | 'genomic_profile';

const COUNT_SQL: Record<FileKind, string> = {
  slide: 'SELECT COUNT(*) AS n FROM slides s JOIN cases c ON c.id = s.case_id WHERE c.patient_id = ?',
  genomic_profile: 'SELECT COUNT(*) AS n FROM genomic_profiles g JOIN cases c ON c.id = g.case_id WHERE c.patient_id = ?',
};

/** The label the next file of this kind for the case's patient gets (call inside the inserting transaction). */
export async function nextFileLabel(tx: Pick<Tx, 'get'>, kind: FileKind, caseId: number, contentHash: string): Promise<string> {
  const c = await tx.get<{ patient_id: number; pseudonym: string }>('SELECT c.patient_id, p.pseudonym FROM cases c JOIN patients p ON p.id = c.patient_id WHERE c.id = ?', [caseId]);
  if (!c) throw new GliofuseError('NOT_FOUND', `No case with id ${caseId}.`);
  const n = ((await tx.get<{ n: number }>(COUNT_SQL[kind], [c.patient_id]))?.n ?? 0) + 1;
  return `${c.pseudonym}-${kind === 'slide' ? 'S' : 'G'}${n}-${contentHash.toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, 6)}`;
}

/** Keeps the name (and folder) the file had, in the PHI table. */
export async function recordFileOrigin(tx: Pick<Tx, 'run'>, kind: FileKind, entityId: number, originalName: string, originalPath: string | null): Promise<void> {
  await tx.run('INSERT INTO source_file_phi (entity_type, entity_id, original_name, original_path) VALUES (?, ?, ?, ?)', [kind, entityId, originalName, originalPath]);
}
