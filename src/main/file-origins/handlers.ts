/** files.origin: the PHI behind a file label, for roles that may see PHI (the router checks the role and audits). */
import type { fileOriginChannels } from '../../shared/contract/file-origins.ts';
import type { PartialHandlers } from '../handler-types.ts';
import type { Db } from '../store/db.ts';
import { GliofuseError } from '../../shared/errors.ts';

export function fileOriginHandlers(db: Db): PartialHandlers<keyof typeof fileOriginChannels> {
  return {
    'files.origin': async (req) => {
      const sql = req.kind === 'slide'
        ? 'SELECT s.file_name AS label, s.path AS path, p.pseudonym FROM slides s JOIN cases c ON c.id = s.case_id JOIN patients p ON p.id = c.patient_id WHERE s.id = ?'
        : 'SELECT g.source_file_name AS label, NULL AS path, p.pseudonym FROM genomic_profiles g JOIN cases c ON c.id = g.case_id JOIN patients p ON p.id = c.patient_id WHERE g.id = ?';
      const r = await db.get<{ label: string; path: string | null; pseudonym: string }>(sql, [req.id]);
      if (!r) throw new GliofuseError('NOT_FOUND', `No ${req.kind === 'slide' ? 'slide' : 'genomic profile'} with id ${req.id}.`);
      const o = await db.get<{ original_name: string; original_path: string | null }>('SELECT original_name, original_path FROM source_file_phi WHERE entity_type = ? AND entity_id = ?', [req.kind, req.id]);
      return { kind: req.kind, id: req.id, patientPseudonym: r.pseudonym, label: r.label, originalName: o?.original_name ?? null, originalPath: o?.original_path ?? r.path };
    },
  };
}
