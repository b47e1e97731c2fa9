/**
 * The TCGA-GBMLGG survival set as a site would bring it to a batch run: one genomic profile per patient (the
 * Pathomic Fusion table joined with the age at diagnosis from grade_data.csv, written to a temp folder, never
 * committed) and the outcome labels file of `gliofuse validate` (time in days, event, grade, 6-class label).
 * The 697 patients are those with IDH and 1p/19q known (the model card's survival set).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../../../src/shared/csv.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';

const csvLine = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');

/** 6-class label from molecular subtype + histological grade (docs/model.md). */
function classLabel(subtype: string, grade: string): string {
  if (subtype === 'IDHwt' && grade === '4') return 'GBM_IDHwt_G4';
  if (subtype === 'IDHmut-non-codel' && ['2', '3', '4'].includes(grade)) return `A_IDHmut_G${grade}`;
  if (subtype === 'IDHmut-codel' && ['2', '3'].includes(grade)) return `O_IDHmut_codel_G${grade}`;
  return '';
}

/** thin: patients whose row leaves more profile fields empty than the reference package may impute (it refuses them). */
export interface TcgaCohort { profiles: string; labels: string; patients: string[]; thin: string[] }

export function writeTcgaCohort(dir: string): TcgaCohort {
  const all = parseCsv(fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8'));
  const grade = parseCsv(fs.readFileSync(sharedFile('tcga', 'grade_data.csv'), 'utf8'));
  const col = (t: typeof all, name: string) => { const i = t.header.indexOf(name); if (i < 0) throw new Error(`no column ${name}`); return i; };
  const g = new Map(grade.rows.map((r) => [r.cells[col(grade, 'TCGA ID')]!, r.cells]));
  const [id, idh, codel, months, censored] = ['TCGA ID', 'idh mutation', 'codeletion', 'Survival months', 'censored'].map((n) => col(all, n)) as [number, number, number, number, number];
  const [age, gr, sub] = ['Age at diagnosis', 'Grade', 'Molecular subtype'].map((n) => col(grade, n)) as [number, number, number];
  const profiles = [csvLine([...all.header, 'Age at diagnosis'])];
  const labels = [csvLine(['patient_id', 'time', 'event', 'grade', 'class'])];
  const patients: string[] = [];
  const thin: string[] = [];
  const maxImputed = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'models', 'umeml-gbmlgg-genomic-ref', 'manifest.json'), 'utf8')) as { genomicSchema: { maxImputed: number } }).genomicSchema.maxImputed;
  for (const r of all.rows) {
    const pid = r.cells[id]!.trim();
    // The table writes unknown values as NA (72 patients lack IDH / 1p/19q).
    if ([idh, codel].some((k) => ['', 'NA', 'NaN', 'nan'].includes(r.cells[k]!.trim()))) continue;
    const clinical = g.get(pid);
    patients.push(pid);
    if (r.cells.filter((c) => c.trim() === '').length > maxImputed) thin.push(pid);
    const ageText = clinical?.[age]?.trim() ?? '';
    profiles.push(csvLine([...r.cells, ageText === 'NA' ? '' : ageText])); // unknown age: missing (the package may impute it)
    const gradeText = clinical?.[gr]?.trim() ?? '';
    labels.push(csvLine([pid, r.cells[months]!.trim(), r.cells[censored]!.trim() === '1' ? '0' : '1',
      ['2', '3', '4'].includes(gradeText) ? gradeText : '', classLabel(clinical?.[sub]?.trim() ?? '', gradeText)]));
  }
  const out = { profiles: path.join(dir, 'profiles.csv'), labels: path.join(dir, 'labels.csv'), patients, thin };
  fs.writeFileSync(out.profiles, `${profiles.join('\n')}\n`);
  fs.writeFileSync(out.labels, `${labels.join('\n')}\n`);
  return out;
}
