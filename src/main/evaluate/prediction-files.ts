/**
 * Reading prediction CSVs for `gliofuse evaluate` and turning them into metric inputs. Column contracts:
 * survival `patient_id,time,event,risk`; classification `patient_id,label,p_<class>…`. Extra columns are ignored
 * (except the optional grouping column named with --by). One row per patient (per group): duplicates are errors.
 */
import { badInput } from '../../shared/errors.ts';
import { numberCell, requireColumn, type CsvTable } from '../../shared/csv.ts';
import type { ClassificationInput, SurvivalRecord } from './metrics.ts';

export interface SurvivalRow extends SurvivalRecord {
  patientId: string;
  group: string | null;
}

export interface ClassificationRows extends ClassificationInput {
  patientIds: string[];
  groups: (string | null)[];
}

function cell(row: { cells: string[] }, i: number): string {
  return (row.cells[i] ?? '').trim();
}

function groupColumn(t: CsvTable, by: string | undefined, what: string): number | null {
  return by === undefined ? null : requireColumn(t, by, what);
}

function checkUnique(ids: string[], groups: (string | null)[], what: string, lines: number[]): void {
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const key = `${groups[i] ?? ''}\u0000${id}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw badInput(`${what}: patient "${id}" appears on lines ${prev} and ${lines[i]}${groups[i] !== null ? ` (group ${groups[i]})` : ''}; evaluation is per patient, one row each.`);
    }
    seen.set(key, lines[i] as number);
  });
}

export function readSurvivalTable(t: CsvTable, opts: { by?: string; what?: string } = {}): SurvivalRow[] {
  const what = opts.what ?? 'survival predictions';
  const cId = requireColumn(t, 'patient_id', what);
  const cTime = requireColumn(t, 'time', what);
  const cEvent = requireColumn(t, 'event', what);
  const cRisk = requireColumn(t, 'risk', what);
  const cGroup = groupColumn(t, opts.by, what);
  if (t.rows.length === 0) throw badInput(`${what} has a header but no rows.`);
  const out = t.rows.map((r): SurvivalRow => {
    const patientId = cell(r, cId);
    if (!patientId) throw badInput(`${what}: line ${r.line} has an empty patient_id.`);
    const time = numberCell(t, r, cTime, what);
    if (time < 0) throw badInput(`${what}: line ${r.line}, column "time": ${time} is negative.`);
    const ev = numberCell(t, r, cEvent, what);
    if (ev !== 0 && ev !== 1) throw badInput(`${what}: line ${r.line}, column "event": expected 1 (death) or 0 (censored), got ${ev}.`);
    return { patientId, time, event: ev, risk: numberCell(t, r, cRisk, what), group: cGroup === null ? null : cell(r, cGroup) };
  });
  checkUnique(out.map((r) => r.patientId), out.map((r) => r.group), what, t.rows.map((r) => r.line));
  return out;
}

export function readClassificationTable(t: CsvTable, opts: { by?: string; what?: string } = {}): ClassificationRows {
  const what = opts.what ?? 'classification predictions';
  const cId = requireColumn(t, 'patient_id', what);
  const cLabel = requireColumn(t, 'label', what);
  const cGroup = groupColumn(t, opts.by, what);
  const probCols = t.header.flatMap((h, i) => (h.startsWith('p_') && h.length > 2 ? [{ name: h.slice(2), i }] : []));
  if (probCols.length < 2) throw badInput(`${what} needs at least two probability columns named p_<class> (found ${probCols.length}).`);
  if (t.rows.length === 0) throw badInput(`${what} has a header but no rows.`);
  const classes = probCols.map((c) => c.name);
  const labels: number[] = [];
  const probs: number[][] = [];
  const patientIds: string[] = [];
  const groups: (string | null)[] = [];
  for (const r of t.rows) {
    const id = cell(r, cId);
    if (!id) throw badInput(`${what}: line ${r.line} has an empty patient_id.`);
    const label = cell(r, cLabel);
    const k = classes.indexOf(label);
    if (k < 0) throw badInput(`${what}: line ${r.line}, column "label": "${label.slice(0, 40)}" is not one of the classes (${classes.join(', ')}).`);
    const row = probCols.map((c) => numberCell(t, r, c.i, what));
    patientIds.push(id);
    labels.push(k);
    probs.push(row);
    groups.push(cGroup === null ? null : cell(r, cGroup));
  }
  checkUnique(patientIds, groups, what, t.rows.map((r) => r.line));
  return { classes, labels, probs, patientIds, groups };
}

/** Splits rows by their group value, groups in order of first appearance (numeric order when all are numbers). */
export function groupIndices(groups: readonly (string | null)[]): { group: string; indices: number[] }[] {
  const map = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const key = g ?? '';
    if (!map.has(key)) map.set(key, []);
    map.get(key)?.push(i);
  });
  const keys = [...map.keys()];
  if (keys.every((k) => k !== '' && Number.isFinite(Number(k)))) keys.sort((a, b) => Number(a) - Number(b));
  return keys.map((k) => ({ group: k, indices: map.get(k) ?? [] }));
}
