/**
 * The outcome labels of a local validation study: `patient_id` and any of `time` + `event` (days; 1 = death,
 * 0 = censored), `grade`, `class` (the package's labels; grade also as 2/3/4). One row per patient. A wrong column,
 * a duplicate, an unparsable value or a patient the cohort does not have is an input error naming the file and line:
 * a study must not quietly drop or mislabel a patient. Empty cells are missing data and are counted.
 */
import fs from 'node:fs';
import { parseCsv } from '../../shared/csv.ts';
import { badInput } from '../../shared/errors.ts';

export interface PatientLabels {
  time: number | null;
  event: 0 | 1 | null;
  grade: string | null;
  molecularClass: string | null;
}

const COLUMNS = ['patient_id', 'time', 'event', 'grade', 'class'] as const;
const ROMAN: Record<string, string> = { 1: 'I', 2: 'II', 3: 'III', 4: 'IV' };

export function readLabels(file: string, opts: { patients: ReadonlySet<string>; gradeLabels: readonly string[]; classLabels: readonly string[] }): Map<string, PatientLabels> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw badInput(`Cannot read the labels file ${file}.`);
  }
  const t = parseCsv(text, `labels file ${file}`);
  const header = t.header.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw badInput(`${file}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (columns: ${COLUMNS.join(', ')}).`);
  const col = (name: string) => header.indexOf(name);
  const [ci, ti, ei, gi, ki] = COLUMNS.map(col) as [number, number, number, number, number];
  if (ci < 0) throw badInput(`${file}: no patient_id column (columns: ${COLUMNS.join(', ')}).`);
  if ((ti < 0) !== (ei < 0)) throw badInput(`${file}: survival needs both time and event columns.`);
  if (ti < 0 && gi < 0 && ki < 0) throw badInput(`${file}: no outcome column (time + event, grade, class).`);
  const out = new Map<string, PatientLabels>();
  for (const r of t.rows) {
    const cell = (k: number) => (k >= 0 ? (r.cells[k] ?? '').trim() : '');
    const where = `${file} line ${r.line}`;
    const id = cell(ci);
    if (!id) throw badInput(`${where}: patient_id is empty.`);
    if (id.length > 128) throw badInput(`${where}: patient_id is longer than 128 characters.`);
    if (out.has(id)) throw badInput(`${where}: patient ${id} appears twice.`);
    if (!opts.patients.has(id)) throw badInput(`${where}: patient ${id} is not in the cohort (merged predictions); remove the row or merge that patient's shard.`);
    const timeText = cell(ti);
    const eventText = cell(ei);
    let time: number | null = null;
    let event: 0 | 1 | null = null;
    if (timeText !== '' || eventText !== '') {
      if (timeText === '' || eventText === '') throw badInput(`${where}: time and event must both be given or both be empty.`);
      time = Number(timeText);
      if (!Number.isFinite(time) || time < 0) throw badInput(`${where}: time "${timeText.slice(0, 20)}" is not a number of days ≥ 0.`);
      if (eventText !== '0' && eventText !== '1') throw badInput(`${where}: event must be 1 (death) or 0 (censored), got "${eventText.slice(0, 20)}".`);
      event = eventText === '1' ? 1 : 0;
    }
    let grade: string | null = cell(gi) || null;
    if (grade !== null) {
      if (!opts.gradeLabels.includes(grade) && ROMAN[grade] && opts.gradeLabels.includes(ROMAN[grade]!)) grade = ROMAN[grade]!;
      if (!opts.gradeLabels.includes(grade)) throw badInput(`${where}: grade "${grade.slice(0, 20)}" is not one of the package's grades (${opts.gradeLabels.join(', ')}).`);
    }
    const molecularClass = cell(ki) || null;
    if (molecularClass !== null && !opts.classLabels.includes(molecularClass)) throw badInput(`${where}: class "${molecularClass.slice(0, 40)}" is not one of the package's classes (${opts.classLabels.join(', ')}).`);
    out.set(id, { time, event, grade, molecularClass });
  }
  return out;
}
