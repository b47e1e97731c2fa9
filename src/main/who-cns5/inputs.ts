/**
 * Turns genomic profile values into the rule engine's inputs: from a stored profile (values by feature id) or from a
 * CSV / JSON file's columns (feature ids, the TCGA table's column names, or the optional marker columns below).
 * Values are checked here so a bad cell is one error naming its field, never a silent guess.
 */
import { badInput } from '../../shared/errors.ts';
import { NO_MOLECULAR, type MolecularInputs } from './engine.ts';

type Key = keyof MolecularInputs;
type Kind = 'binary' | 'gene' | 'arm' | 'age';

interface InputField {
  key: Key;
  /** The canonical field name (the reference package's feature id where it has one). */
  field: string;
  kind: Kind;
  /** Accepted column names (compared trimmed, case-insensitive). */
  names: string[];
}

/** Every column the rules read. Binary columns: 1 = present (mutant / codeleted / lost / methylated), 0 = absent. */
export const INPUT_FIELDS: InputField[] = [
  { key: 'idhMutant', field: 'idh_mutation', kind: 'binary', names: ['idh_mutation', 'idh mutation', 'IDH', 'IDH1/2 mutation'] },
  { key: 'codeletion1p19q', field: 'codeletion_1p19q', kind: 'binary', names: ['codeletion_1p19q', 'codeletion', '1p19q codeletion', '1p/19q codeletion'] },
  { key: 'cdkn2a', field: 'cnv_cdkn2a', kind: 'gene', names: ['cnv_cdkn2a', 'CDKN2A'] },
  { key: 'cdkn2b', field: 'cnv_cdkn2b', kind: 'gene', names: ['cnv_cdkn2b', 'CDKN2B'] },
  { key: 'egfr', field: 'cnv_egfr', kind: 'gene', names: ['cnv_egfr', 'EGFR'] },
  { key: 'arm7p', field: 'arm_7p', kind: 'arm', names: ['arm_7p', '7p'] },
  { key: 'arm7q', field: 'arm_7q', kind: 'arm', names: ['arm_7q', '7q'] },
  { key: 'arm10p', field: 'arm_10p', kind: 'arm', names: ['arm_10p', '10p'] },
  { key: 'arm10q', field: 'arm_10q', kind: 'arm', names: ['arm_10q', '10q'] },
  { key: 'tertPromoterMutant', field: 'tert_promoter', kind: 'binary', names: ['tert_promoter', 'TERT promoter', 'TERTp', 'TERT promoter mutation'] },
  { key: 'atrxLoss', field: 'atrx_loss', kind: 'binary', names: ['atrx_loss', 'ATRX loss'] },
  { key: 'tp53Mutant', field: 'tp53_mutation', kind: 'binary', names: ['tp53_mutation', 'TP53 mutation', 'TP53_mut'] },
  { key: 'h3K27M', field: 'h3_k27m', kind: 'binary', names: ['h3_k27m', 'H3 K27M', 'H3K27M'] },
  { key: 'mgmtPromoterMethylated', field: 'mgmt_promoter_methylation', kind: 'binary', names: ['mgmt_promoter_methylation', 'MGMT promoter methylation', 'MGMT methylation'] },
  { key: 'ageYears', field: 'age_at_diagnosis', kind: 'age', names: ['age_at_diagnosis', 'Age at diagnosis', 'age'] },
];

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none']);
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one cell for a field; returns null for "not measured", throws BAD_INPUT naming the field otherwise. */
export function parseCell(f: InputField, raw: string | number | null | undefined, where: string): number | boolean | null {
  if (raw === null || raw === undefined) return null;
  const t = String(raw).trim();
  if (MISSING.has(t.toLowerCase())) return null;
  if (!NUMBER_RE.test(t)) throw badInput(`${where}: ${f.field} "${t.slice(0, 40)}" is not a number.`);
  const v = Number(t);
  switch (f.kind) {
    case 'binary':
      if (v !== 0 && v !== 1) throw badInput(`${where}: ${f.field} must be 0 or 1 (got ${t}).`);
      return v === 1;
    case 'gene':
      if (!Number.isInteger(v) || v < -2 || v > 2) throw badInput(`${where}: ${f.field} must be a whole copy-number call from -2 to 2 (got ${t}).`);
      return v;
    case 'arm':
      if (!Number.isFinite(v) || Math.abs(v) > 10) throw badInput(`${where}: ${f.field} must be an arm-level value between -10 and 10 (got ${t}).`);
      return v;
    case 'age':
      if (!Number.isFinite(v) || v < 0 || v > 120) throw badInput(`${where}: ${f.field} must be an age in years from 0 to 120 (got ${t}).`);
      return v;
  }
}

function assign(m: MolecularInputs, f: InputField, v: number | boolean | null): void {
  (m as unknown as Record<string, number | boolean | null>)[f.key] = v;
}

/** From a stored profile's values by feature id (null = imputed / not measured: imputed values are never used), plus entered markers. */
export function inputsFromValues(values: Record<string, number | null | undefined>, extra?: Partial<MolecularInputs>): MolecularInputs {
  const m: MolecularInputs = { ...NO_MOLECULAR };
  for (const f of INPUT_FIELDS) {
    const v = values[f.field];
    if (v === null || v === undefined) continue;
    assign(m, f, parseCell(f, v, 'genomic profile'));
  }
  // `extra` (markers entered by the pathologist) fills only what the profile does not give.
  for (const [k, v] of Object.entries(extra ?? {}) as [keyof MolecularInputs, number | boolean | null | undefined][]) {
    if (v !== null && v !== undefined && m[k] === null) (m as unknown as Record<string, number | boolean | null>)[k] = v;
  }
  return m;
}

/** Matches a header to the rules' fields. Two columns for one field is an error; other columns are ignored. */
export function matchColumns(header: string[]): { byField: Map<InputField, number>; used: string[] } {
  const lookup = new Map<string, InputField>();
  for (const f of INPUT_FIELDS) for (const n of f.names) lookup.set(n.trim().toLowerCase(), f);
  const byField = new Map<InputField, number>();
  header.forEach((name, i) => {
    const f = lookup.get(name.trim().toLowerCase());
    if (!f) return;
    const prev = byField.get(f);
    if (prev !== undefined) throw badInput(`Columns "${header[prev]}" and "${name}" both give ${f.field}.`);
    byField.set(f, i);
  });
  if (byField.size === 0) throw badInput(`No column of the WHO CNS5 rules was found (expected e.g. ${INPUT_FIELDS.slice(0, 5).map((f) => f.names[1] ?? f.field).join(', ')}).`);
  return { byField, used: [...byField.keys()].map((f) => f.field) };
}

export function inputsFromCells(byField: Map<InputField, number>, cells: string[], where: string): MolecularInputs {
  const m: MolecularInputs = { ...NO_MOLECULAR };
  for (const [f, i] of byField) assign(m, f, parseCell(f, cells[i] ?? '', where));
  return m;
}
