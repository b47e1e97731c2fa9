/**
 * Applies the rules to a profile file: a CSV (one row, the row with --row-id, or every row with --all) or a JSON
 * object. Pure (the caller reads the file). Bad input is one BAD_INPUT naming the field and the row; a row id that
 * is not in the file is NOT_FOUND, as in `genomics validate`.
 */
import { parseCsv } from '../../shared/csv.ts';
import { GliofuseError, badInput } from '../../shared/errors.ts';
import { NO_HISTOLOGY } from '../../shared/who-cns5.ts';
import type { ClassifiedRow } from '../../shared/contract/who-cns5.ts';
import { classify } from './engine.ts';
import { inputsFromCells, matchColumns } from './inputs.ts';
import type { CnvThresholds } from './thresholds.ts';

/** Id columns, as in the reference package's genomic schema. */
const ID_COLUMNS = ['tcga id', 'patient_id', 'case_id', 'id'];

export interface ClassifyRequest {
  fileName: string;
  content: string;
  rowId?: string | undefined;
  all?: boolean | undefined;
}

export function classifyFile(req: ClassifyRequest, t: CnvThresholds): { columns: string[]; rows: ClassifiedRow[] } {
  if (req.rowId !== undefined && req.all) throw badInput('Give either --row-id or --all, not both.');
  const text = req.content.replace(/^\uFEFF/, '');
  if (/\.json$/i.test(req.fileName) || text.trimStart().startsWith('{')) {
    if (req.rowId !== undefined || req.all) throw badInput('--row-id and --all apply to CSV files; a JSON profile is one object.');
    return classifyJson(text, t);
  }
  const table = parseCsv(text, 'genomic profile');
  if (table.rows.length === 0) throw badInput('The genomic profile has a header but no data row.');
  const { byField, used } = matchColumns(table.header);
  const idIndex = table.header.findIndex((h) => ID_COLUMNS.includes(h.trim().toLowerCase()));
  const idOf = (cells: string[]) => (idIndex >= 0 ? (cells[idIndex] ?? '').trim() || null : null);
  let rows = table.rows;
  if (req.rowId !== undefined) {
    if (idIndex < 0) throw badInput(`--row-id was given but the file has no id column (one of: TCGA ID, patient_id, case_id, id).`);
    const want = req.rowId.trim();
    let hits = rows.filter((r) => idOf(r.cells) === want);
    if (hits.length === 0) hits = rows.filter((r) => idOf(r.cells)?.toLowerCase() === want.toLowerCase());
    if (hits.length === 0) throw new GliofuseError('NOT_FOUND', `No row with ${table.header[idIndex]} "${want}" in the genomic profile (${rows.length} rows).`);
    if (hits.length > 1) throw badInput(`${hits.length} rows have ${table.header[idIndex]} "${want}" (lines ${hits.map((h) => h.line).join(', ')}); ids must be unique.`);
    rows = hits;
  } else if (!req.all && rows.length > 1) {
    throw badInput(`The genomic profile has ${rows.length} rows; choose one with --row-id${idIndex >= 0 ? ` (id column "${table.header[idIndex]}")` : ''} or classify every row with --all.`);
  }
  return {
    columns: used,
    rows: rows.map((r) => {
      const id = idOf(r.cells);
      const inputs = inputsFromCells(byField, r.cells, `line ${r.line}${id ? ` (${id})` : ''}`);
      return { rowId: id, line: r.line, result: classify(inputs, NO_HISTOLOGY, t) };
    }),
  };
}

function classifyJson(text: string, t: CnvThresholds): { columns: string[]; rows: ClassifiedRow[] } {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw badInput(`The genomic profile is not valid JSON (${e instanceof Error ? e.message : 'parse error'}).`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badInput('A JSON genomic profile is one object mapping field names to values.');
  const entries = Object.entries(obj as Record<string, unknown>);
  const header = entries.map(([k]) => k);
  const cells = entries.map(([k, v]) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number' || typeof v === 'string') return String(v);
    throw badInput(`${k}: expected a number or null, got ${Array.isArray(v) ? 'an array' : typeof v}.`);
  });
  const { byField, used } = matchColumns(header);
  const idIndex = header.findIndex((h) => ID_COLUMNS.includes(h.trim().toLowerCase()));
  const rowId = idIndex >= 0 ? cells[idIndex] || null : null;
  return { columns: used, rows: [{ rowId, line: null, result: classify(inputsFromCells(byField, cells, 'profile'), NO_HISTOLOGY, t) }] };
}
