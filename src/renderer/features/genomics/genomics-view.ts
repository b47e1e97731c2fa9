/**
 * Genomics tab helpers (issue 14 items 3, 4): the ids of a multi-row file (for the searchable row list), values
 * rounded for reading, and the interpretation/age-plan request built from a validation report.
 */
import { parseCsv } from '../../../shared/csv.ts';
import { normaliseColumnName } from '../../../shared/model-manifest.ts';

/** The id column and its values of a CSV profile, by the package's id aliases; null when it is not a CSV table. */
export function fileRowIds(fileName: string, content: string, idAliases: readonly string[]): { rows: number; idColumn: string | null; ids: string[] } | null {
  if (/\.json$/i.test(fileName) || content.trimStart().startsWith('{')) return null;
  try {
    const t = parseCsv(content, 'genomic profile');
    const aliases = new Set(idAliases.map(normaliseColumnName));
    const idIndex = t.header.findIndex((h) => aliases.has(normaliseColumnName(h)));
    const ids = idIndex < 0 ? [] : t.rows.map((r) => (r.cells[idIndex] ?? '').trim()).filter(Boolean);
    return { rows: t.rows.length, idColumn: idIndex < 0 ? null : t.header[idIndex] ?? null, ids };
  } catch {
    return null; // "Check file" reports the parse error with its line.
  }
}

/** 49.29367469879518 → "49.29"; integers stay as they are. */
export function fmtValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return String(Math.round(v * 100) / 100);
}

export const AGE_FEATURE = 'age_at_diagnosis';
