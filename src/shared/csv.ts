/**
 * A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF or LF, UTF-8 BOM). Used for prediction files
 * and genomic profiles; both are small (at most a few thousand rows), so the whole text is parsed in memory.
 * Every row must have as many fields as the header: a ragged row is an input error naming its line.
 */
import { badInput } from './errors.ts';

export interface CsvTable {
  header: string[];
  /** Data rows; `line` is the 1-based line number in the file where the row starts (for error messages). */
  rows: { line: number; cells: string[] }[];
}

export function parseCsv(text: string, what = 'CSV file'): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false; // distinguishes an empty last line from a record with one empty field
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field.length > 0) throw badInput(`${what}: line ${line} has a quote inside an unquoted field.`);
      inQuotes = true;
      fieldStarted = true;
    } else if (c === ',') {
      cells.push(field); field = ''; fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      if (fieldStarted || field.length > 0 || cells.length > 0) {
        cells.push(field);
        records.push({ line: recordLine, cells });
      }
      cells = []; field = ''; fieldStarted = false;
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw badInput(`${what}: a quoted field starting on line ${recordLine} is never closed.`);
  if (fieldStarted || field.length > 0 || cells.length > 0) {
    cells.push(field);
    records.push({ line: recordLine, cells });
  }
  const head = records.shift();
  if (!head) throw badInput(`${what} is empty: expected a header line.`);
  const header = head.cells.map((h) => h.trim());
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) throw badInput(`${what}: column "${dup}" appears twice in the header.`);
  for (const r of records) {
    if (r.cells.length !== header.length) {
      throw badInput(`${what}: line ${r.line} has ${r.cells.length} fields but the header has ${header.length}.`);
    }
  }
  return { header, rows: records };
}

/** Column index by exact (trimmed) name, or a BAD_INPUT error listing what the file must contain. */
export function requireColumn(t: CsvTable, name: string, what = 'CSV file'): number {
  const i = t.header.indexOf(name);
  if (i < 0) throw badInput(`${what} has no "${name}" column (columns found: ${t.header.slice(0, 12).join(', ')}${t.header.length > 12 ? ', …' : ''}).`);
  return i;
}

/** A finite number from a cell, or a BAD_INPUT error naming the line and column. */
export function numberCell(t: CsvTable, row: { line: number; cells: string[] }, col: number, what = 'CSV file'): number {
  const raw = (row.cells[col] ?? '').trim();
  const v = raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(v)) throw badInput(`${what}: line ${row.line}, column "${t.header[col]}": "${raw.slice(0, 40)}" is not a number.`);
  return v;
}
