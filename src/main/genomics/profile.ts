/**
 * Genomic profile parsing and validation against a model package's genomic schema (rules: docs/genomics.md).
 *
 * Input: a CSV (header = feature ids or aliases; one row, or one chosen by id) or a JSON object. Output: a
 * per-field report (observed / imputed, with errors naming the field) and, when there is no error, the model's
 * input: the normalised vector and the observed mask, in the schema's feature order.
 */
import { GliofuseError, badInput } from '../../shared/errors.ts';
import { normaliseColumnName, type GenomicFeature, type GenomicSchema } from '../../shared/model-manifest.ts';
import { parseCsv } from '../../shared/csv.ts';
import { duplicateJsonKeys } from '../../shared/json-keys.ts';
import { MAX_PROFILE_BYTES, MAX_PROFILE_KEY_CHARS, MAX_REPORTED_ERRORS, MAX_ROW_ID_CHARS, profileTooLargeMessage } from '../../shared/input-limits.ts';
import { quoteForMessage } from '../../shared/text-safety.ts';

/**
 * Columns of all_dataset.csv (and its usual exports) that are not model inputs: a row index and the survival
 * outcome. They are ignored with a note so the public table can be imported as it is; outcomes never become inputs.
 */
export const KNOWN_NON_FEATURE_COLUMNS = ['indexes', 'censored', 'Survival months'] as const;

/** Cell texts that mean "not measured" (empty, NA and the spellings R, pandas and spreadsheets write). */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none']);
/** A measured value is a number: longer text is refused rather than stored in the validation report. */
const MAX_VALUE_CHARS = 64;
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export interface FieldReport {
  featureId: string;
  displayName: string;
  /** The column / key the value came from (null when absent). */
  source: string | null;
  status: 'observed' | 'imputed' | 'error';
  /** The text as given (null when absent). */
  raw: string | null;
  /** The value in the feature's own unit (the impute value when imputed; null on error). */
  value: number | null;
  /** (value − mean) / std, what the model receives (null on error). */
  normalised: number | null;
  message: string | null;
}

export interface GenomicValidationReport {
  ok: boolean;
  format: 'csv' | 'json';
  modelId: string;
  modelVersion: string;
  /** Id of the row used (CSV) or the id key's value (JSON), when there is one. */
  rowId: string | null;
  observed: number;
  imputed: number;
  fields: FieldReport[];
  /** Problems that make the profile unusable, each naming its field or column. */
  errors: { field: string; message: string }[];
  /** Things ignored or assumed, for the user to see. */
  notes: string[];
}

export interface GenomicModelInput {
  /** Raw values by feature id (null = imputed). */
  values: Record<string, number | null>;
  vector: number[];
  mask: number[];
}

export interface SchemaRef {
  id: string;
  version: string;
  schema: GenomicSchema;
}

function lookup(schema: GenomicSchema): { features: Map<string, GenomicFeature>; ids: Set<string>; ignored: Set<string> } {
  const features = new Map<string, GenomicFeature>();
  for (const f of schema.features) for (const name of [f.id, ...f.aliases]) features.set(normaliseColumnName(name), f);
  return {
    features,
    ids: new Set(schema.idColumnAliases.map(normaliseColumnName)),
    ignored: new Set(KNOWN_NON_FEATURE_COLUMNS.map(normaliseColumnName)),
  };
}

/** Validates one value against its feature. Returns the number, or an error message. */
export function checkValue(f: GenomicFeature, raw: string): { value: number } | { error: string } {
  const t = raw.trim();
  if (!NUMBER_RE.test(t)) return { error: `"${t.slice(0, 40)}" is not a number` };
  const v = Number(t);
  if (!Number.isFinite(v)) return { error: `"${t.slice(0, 40)}" is not a finite number` };
  if (f.type === 'binary' && v !== 0 && v !== 1) return { error: `${v} is not 0 or 1 (binary)` };
  if (f.type === 'integer' && !Number.isInteger(v)) return { error: `${v} is not a whole number` };
  if (v < f.min || v > f.max) return { error: `${v} is outside the allowed range ${f.min} to ${f.max}${f.unit ? ` ${f.unit}` : ''}` };
  return { value: v };
}

const isMissing = (raw: string | null): boolean => raw === null || MISSING_TOKENS.has(raw.trim().toLowerCase());

/** Builds the report from (feature -> raw text | null) after the columns were matched. */
function buildReport(ref: SchemaRef, format: 'csv' | 'json', rowId: string | null, given: Map<string, { source: string; raw: string | null }>, errors: { field: string; message: string }[], notes: string[]): { report: GenomicValidationReport; input: GenomicModelInput | null } {
  // The id is stored with the profile and audited: an unbounded one never gets that far.
  if (rowId !== null && [...rowId].length > MAX_ROW_ID_CHARS) {
    errors.push({ field: '(id)', message: `the id "${quoteForMessage(rowId, 40)}" is longer than ${MAX_ROW_ID_CHARS} characters` });
    rowId = quoteForMessage(rowId, 40);
  }
  const fields: FieldReport[] = [];
  const values: Record<string, number | null> = {};
  const vector: number[] = [];
  const mask: number[] = [];
  for (const f of ref.schema.features) {
    const g = given.get(f.id);
    const norm = (v: number) => (v - f.normalise.mean) / f.normalise.std;
    if (!g || isMissing(g.raw)) {
      fields.push({ featureId: f.id, displayName: f.displayName, source: g?.source ?? null, status: 'imputed', raw: g?.raw ?? null, value: f.impute, normalised: norm(f.impute), message: g ? 'missing value; imputed' : 'column absent; imputed' });
      values[f.id] = null;
      vector.push(norm(f.impute));
      mask.push(0);
      continue;
    }
    if ((g.raw as string).length > MAX_VALUE_CHARS) {
      const msg = `a value of ${(g.raw as string).length} characters is not a measurement`;
      errors.push({ field: f.id, message: `${f.displayName} (${quoteForMessage(g.source)}): ${msg}` });
      fields.push({ featureId: f.id, displayName: f.displayName, source: g.source, status: 'error', raw: quoteForMessage(g.raw as string, 40), value: null, normalised: null, message: msg });
      continue;
    }
    const r = checkValue(f, g.raw as string);
    if ('error' in r) {
      errors.push({ field: f.id, message: `${f.displayName} (${g.source}): ${r.error}` });
      fields.push({ featureId: f.id, displayName: f.displayName, source: g.source, status: 'error', raw: g.raw, value: null, normalised: null, message: r.error });
      continue;
    }
    fields.push({ featureId: f.id, displayName: f.displayName, source: g.source, status: 'observed', raw: g.raw, value: r.value, normalised: norm(r.value), message: null });
    values[f.id] = r.value;
    vector.push(norm(r.value));
    mask.push(1);
  }
  const observed = fields.filter((x) => x.status === 'observed').length;
  const imputed = fields.filter((x) => x.status === 'imputed').length;
  if (observed === 0 && errors.length === 0) errors.push({ field: '(all)', message: 'no feature of the model was found in the file; check the column names' });
  else checkMinimumEvidence(ref, fields, imputed, errors);
  if (errors.length > MAX_REPORTED_ERRORS) {
    const more = errors.length - MAX_REPORTED_ERRORS;
    errors.splice(MAX_REPORTED_ERRORS, more, { field: '(more)', message: `and ${more} more errors` });
  }
  const report: GenomicValidationReport = { ok: errors.length === 0, format, modelId: ref.id, modelVersion: ref.version, rowId, observed, imputed, fields, errors, notes };
  return { report, input: report.ok ? { values, vector, mask } : null };
}

/**
 * The package's minimum evidence (manifest genomicSchema.requiredObserved / maxImputed, issue 12 §5): fields the
 * model may never impute (for the reference package IDH and 1p/19q, which decide the molecular class), and the most
 * fields it may impute. A profile with 1 of 81 fields would otherwise be "classified" from the cohort means.
 */
function checkMinimumEvidence(ref: SchemaRef, fields: FieldReport[], imputed: number, errors: { field: string; message: string }[]): void {
  const required = ref.schema.requiredObserved ?? [];
  const missing = fields.filter((f) => required.includes(f.featureId) && f.status === 'imputed');
  if (missing.length > 0) {
    errors.push({ field: missing.map((f) => f.featureId).join(','), message: `${missing.map((f) => f.displayName).join(' and ')} must be measured: ${ref.id} does not impute ${missing.length === 1 ? 'it' : 'them'} (missing: ${missing.map((f) => f.featureId).join(', ')})` });
  }
  const max = ref.schema.maxImputed;
  if (max !== undefined && imputed > max) {
    errors.push({ field: '(imputed)', message: `${imputed} of ${fields.length} fields are missing; ${ref.id} imputes at most ${max} (missing: ${fields.filter((f) => f.status === 'imputed').slice(0, 12).map((f) => f.featureId).join(', ')}${imputed > 12 ? ', …' : ''})` });
  }
}

/** Matches column / key names to features; unknown names are errors except id and known non-feature columns. */
function matchNames(ref: SchemaRef, names: string[], errors: { field: string; message: string }[], notes: string[]): { byFeature: Map<string, number>; idIndex: number | null } {
  const L = lookup(ref.schema);
  const byFeature = new Map<string, number>();
  let idIndex: number | null = null;
  names.forEach((name, i) => {
    if ([...name].length > MAX_PROFILE_KEY_CHARS) {
      errors.push({ field: quoteForMessage(name, 40), message: `column or key "${quoteForMessage(name, 40)}" is longer than ${MAX_PROFILE_KEY_CHARS} characters` });
      return;
    }
    const key = normaliseColumnName(name);
    const f = L.features.get(key);
    if (f) {
      const prev = byFeature.get(f.id);
      if (prev !== undefined) errors.push({ field: f.id, message: `columns "${quoteForMessage(names[prev] ?? '')}" and "${quoteForMessage(name)}" both give ${f.displayName}` });
      else byFeature.set(f.id, i);
    } else if (L.ids.has(key)) {
      if (idIndex === null) idIndex = i;
      else notes.push(`"${quoteForMessage(name)}" ignored: "${quoteForMessage(names[idIndex] ?? '')}" is already the id column`);
    } else if (L.ignored.has(key)) {
      notes.push(`"${quoteForMessage(name)}" ignored: a bookkeeping or outcome column of all_dataset.csv, not a model input`);
    } else if (key === '') {
      notes.push(`an unnamed column (column ${i + 1}, e.g. a spreadsheet row index) was ignored`);
    } else {
      errors.push({ field: quoteForMessage(name, 40), message: `unknown column "${quoteForMessage(name)}": it is not a feature, alias or id column of ${ref.id}` });
    }
  });
  return { byFeature, idIndex };
}

export function validateCsvProfile(ref: SchemaRef, text: string, rowId?: string): { report: GenomicValidationReport; input: GenomicModelInput | null } {
  const t = parseCsv(text, 'genomic profile');
  const errors: { field: string; message: string }[] = [];
  const notes: string[] = [];
  const { byFeature, idIndex } = matchNames(ref, t.header, errors, notes);
  if (t.rows.length === 0) throw badInput('The genomic profile has a header but no data row.');
  let row = t.rows[0];
  let usedId: string | null = null;
  if (rowId !== undefined) {
    if (idIndex === null) throw badInput(`--row-id was given but the file has no id column (one of: ${ref.schema.idColumnAliases.join(', ')}).`);
    const want = rowId.trim();
    let hits = t.rows.filter((r) => (r.cells[idIndex] ?? '').trim() === want);
    if (hits.length === 0) hits = t.rows.filter((r) => (r.cells[idIndex] ?? '').trim().toLowerCase() === want.toLowerCase());
    if (hits.length === 0) throw new GliofuseError('NOT_FOUND', `No row with ${t.header[idIndex]} "${want}" in the genomic profile (${t.rows.length} rows).`);
    if (hits.length > 1) throw badInput(`${hits.length} rows have ${t.header[idIndex]} "${want}" (lines ${hits.slice(0, 10).map((h) => h.line).join(', ')}${hits.length > 10 ? ', …' : ''}); ids must be unique.`);
    row = hits[0];
  } else if (t.rows.length > 1) {
    throw badInput(`The genomic profile has ${t.rows.length} rows; choose one with --row-id${idIndex !== null ? ` (id column "${t.header[idIndex]}")` : ' (the file needs an id column)'}.`);
  }
  if (!row) throw badInput('The genomic profile has no data row.');
  if (idIndex !== null) usedId = (row.cells[idIndex] ?? '').trim() || null;
  const given = new Map<string, { source: string; raw: string | null }>();
  for (const [fid, i] of byFeature) given.set(fid, { source: t.header[i] ?? '', raw: row.cells[i] ?? '' });
  if (t.rows.length > 1) notes.push(`row ${usedId ?? '?'} (line ${row.line}) used of ${t.rows.length}`);
  return buildReport(ref, 'csv', usedId, given, errors, notes);
}

export function validateJsonProfile(ref: SchemaRef, text: string): { report: GenomicValidationReport; input: GenomicModelInput | null } {
  let obj: unknown;
  try {
    obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw badInput(`The genomic profile is not valid JSON (${e instanceof Error ? e.message : 'parse error'}).`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badInput('A JSON genomic profile is one object mapping feature ids or aliases to values.');
  const entries = Object.entries(obj as Record<string, unknown>);
  const errors: { field: string; message: string }[] = [];
  const notes: string[] = [];
  // Refused like a CSV with the same column twice: JSON.parse would silently keep the last value.
  for (const k of duplicateJsonKeys(text)) errors.push({ field: quoteForMessage(k, 40), message: `key "${quoteForMessage(k)}" appears more than once; give each field once` });
  const names = entries.map(([k]) => k);
  const { byFeature, idIndex } = matchNames(ref, names, errors, notes);
  const given = new Map<string, { source: string; raw: string | null }>();
  for (const [fid, i] of byFeature) {
    const [key, v] = entries[i] as [string, unknown];
    if (v === null || v === undefined) given.set(fid, { source: key, raw: null });
    else if (typeof v === 'number') given.set(fid, { source: key, raw: Number.isFinite(v) ? String(v) : 'NaN' });
    else if (typeof v === 'string') given.set(fid, { source: key, raw: v });
    else errors.push({ field: fid, message: `${key}: expected a number or null, got ${Array.isArray(v) ? 'an array' : typeof v}` });
  }
  let rowId: string | null = null;
  if (idIndex !== null) {
    const v = entries[idIndex]?.[1];
    rowId = typeof v === 'string' || typeof v === 'number' ? String(v) : null;
  }
  return buildReport(ref, 'json', rowId, given, errors, notes);
}

/** JSON when the file is named .json or its text starts with "{"; CSV otherwise. */
export function validateProfile(ref: SchemaRef, fileName: string, content: string, rowId?: string): { report: GenomicValidationReport; input: GenomicModelInput | null } {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > MAX_PROFILE_BYTES) throw badInput(profileTooLargeMessage(bytes));
  if (rowId !== undefined && [...rowId].length > MAX_ROW_ID_CHARS) throw badInput(`--row-id is longer than ${MAX_ROW_ID_CHARS} characters ("${quoteForMessage(rowId, 40)}").`);
  const isJson = /\.json$/i.test(fileName) || content.replace(/^\uFEFF/, '').trimStart().startsWith('{');
  if (isJson) {
    if (rowId !== undefined) throw badInput('--row-id applies to CSV files; a JSON profile is a single object.');
    return validateJsonProfile(ref, content);
  }
  return validateCsvProfile(ref, content, rowId);
}

/** One line summarising the first errors, for exceptions and the CLI's stderr. */
export function summariseErrors(report: GenomicValidationReport, max = 3): string {
  const parts = report.errors.slice(0, max).map((e) => e.message);
  if (report.errors.length > max) parts.push(`and ${report.errors.length - max} more`);
  return parts.join('; ');
}
