/**
 * The audit anchor printed on every report: the log's head when the report was made and the checkpoint sealed for
 * it. A printed or e-mailed PDF thereby keeps a copy of (count, head) outside the database; an auditor re-checks it
 * with `gliofuse audit verify --anchor COUNT:HEAD` (docs/store-and-audit.md).
 */
import { describeCheckpoint, type Checkpoint } from '../audit/checkpoint.ts';

export interface AuditAnchor {
  seq: number;
  hash: string;
  checkpoint?: Checkpoint | null;
}

/** Rows for the report's provenance table (label, value). */
export function auditAnchorRows(anchor: AuditAnchor | null): [string, string][] {
  if (!anchor) return [['Audit chain head', 'not recorded (report made outside a Gliofuse database)']];
  const rows: [string, string][] = [['Audit chain head', `event ${anchor.seq}, ${anchor.hash}`]];
  rows.push(['Audit checkpoint', anchor.checkpoint ? `${describeCheckpoint(anchor.checkpoint)}; check with: gliofuse audit verify --anchor ${anchor.seq}:${anchor.hash}` : 'none (this database has no audit key)']);
  return rows;
}
