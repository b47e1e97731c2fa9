/**
 * Validation of the WHO CNS5 rules on TCGA-GBMLGG (all_dataset.csv + grade_data.csv): rule classes against the
 * dataset's molecular subtype and histological grade, and Kaplan–Meier / log-rank for the two molecular grading
 * criteria (docs/who-cns5.md). Pure: the caller reads the files; scripts/validate-who-cns5.ts writes the doc table.
 * Survival: all_dataset.csv "Survival months" is in DAYS; event = 1 − censored.
 */
import { parseCsv, requireColumn } from '../../shared/csv.ts';
import { kaplanMeier, logRank, type KmSummary, type SurvivalObs } from '../evaluate/kaplan-meier.ts';
import { NO_HISTOLOGY, type WhoClassification } from '../../shared/who-cns5.ts';
import { badInput } from '../../shared/errors.ts';
import { classify, cnvCalls, type MolecularInputs } from './engine.ts';
import { inputsFromCells, matchColumns } from './inputs.ts';
import { TCGA_GBMLGG_THRESHOLDS, thresholdsFor, type CnvThresholds } from './thresholds.ts';

const DAYS_PER_YEAR = 365.25;

export interface Patient {
  id: string;
  inputs: MolecularInputs;
  who: WhoClassification;
  subtype: string; // IDHwt / IDHmut-non-codel / IDHmut-codel / NA
  histology: string;
  histGrade: string; // 2 / 3 / 4 / NA
  survival: SurvivalObs | null; // years
}

export interface KmGroup {
  name: string;
  km: KmSummary;
}

export interface Comparison {
  title: string;
  a: KmGroup;
  b: KmGroup;
  logRankP: number;
  chiSquare: number;
}

export interface ValidationReport {
  thresholds: CnvThresholds;
  patients: number;
  confusionSubtype: { rows: string[]; cols: string[]; counts: number[][] };
  confusionGrade: { rows: string[]; cols: string[]; counts: number[][] };
  confusionHistology: { rows: string[]; cols: string[]; counts: number[][] };
  typeAgreement: { agree: number; decided: number };
  comparisons: Comparison[];
  reference: KmGroup;
  sensitivity: { armCut: number; molecularGbm: number; otherIdhWt23: number }[];
}

/** The row label of a rule result in the confusion tables (grade-undecided results show the grades still open). */
const ruleLabel = (w: WhoClassification) => (w.type === null || w.grade !== null ? w.integratedDiagnosis : `${w.diagnosis}, grade ${w.gradeOptions.join('/')} open`);

function table(patients: Patient[], colOf: (p: Patient) => string, cols: string[]) {
  const rows = [...new Set(patients.map((p) => ruleLabel(p.who)))].sort();
  const counts = rows.map((r) => cols.map((c) => patients.filter((p) => ruleLabel(p.who) === r && colOf(p) === c).length));
  return { rows, cols, counts };
}

export function loadPatients(allCsv: string, gradeCsv: string, t: CnvThresholds = TCGA_GBMLGG_THRESHOLDS): Patient[] {
  const all = parseCsv(allCsv, 'all_dataset.csv');
  const grade = parseCsv(gradeCsv, 'grade_data.csv');
  const idA = requireColumn(all, 'TCGA ID', 'all_dataset.csv');
  const cens = requireColumn(all, 'censored', 'all_dataset.csv');
  const days = requireColumn(all, 'Survival months', 'all_dataset.csv');
  const idG = requireColumn(grade, 'TCGA ID', 'grade_data.csv');
  const sub = requireColumn(grade, 'Molecular subtype', 'grade_data.csv');
  const hist = requireColumn(grade, 'Histology', 'grade_data.csv');
  const gr = requireColumn(grade, 'Grade', 'grade_data.csv');
  const byId = new Map(grade.rows.map((r) => [(r.cells[idG] ?? '').trim(), r]));
  const { byField } = matchColumns(all.header);
  return all.rows.map((r) => {
    const id = (r.cells[idA] ?? '').trim();
    const g = byId.get(id);
    if (!g) throw badInput(`grade_data.csv has no row for ${id}.`);
    const inputs = inputsFromCells(byField, r.cells, `all_dataset.csv line ${r.line}`);
    const d = Number(r.cells[days]);
    const c = (r.cells[cens] ?? '').trim();
    const survival = Number.isFinite(d) && (c === '0' || c === '1') ? { time: d / DAYS_PER_YEAR, event: (c === '0' ? 1 : 0) as 0 | 1 } : null;
    const cell = (i: number) => ((g.cells[i] ?? '').trim() || 'NA');
    return { id, inputs, who: classify(inputs, NO_HISTOLOGY, t), subtype: cell(sub), histology: cell(hist), histGrade: cell(gr), survival };
  });
}

const obs = (ps: Patient[]) => ps.flatMap((p) => (p.survival ? [p.survival] : []));
const group = (name: string, ps: Patient[]): KmGroup => ({ name, km: kaplanMeier(obs(ps)) });
function compare(title: string, a: KmGroup, aPs: Patient[], b: KmGroup, bPs: Patient[]): Comparison {
  const lr = logRank(obs(aPs), obs(bPs));
  return { title, a, b, logRankP: lr.p, chiSquare: lr.chiSquare };
}

/** IDH-wildtype with TCGA histological grade 2/3, split by the rules into molecular glioblastoma and the rest. */
function idhWt23(patients: Patient[]) {
  const wt23 = patients.filter((p) => p.inputs.idhMutant === false && (p.histGrade === '2' || p.histGrade === '3'));
  return { mol: wt23.filter((p) => p.who.type === 'glioblastoma-idh-wildtype'), other: wt23.filter((p) => p.who.type !== 'glioblastoma-idh-wildtype') };
}

export function validateOnTcga(allCsv: string, gradeCsv: string, t: CnvThresholds = TCGA_GBMLGG_THRESHOLDS): ValidationReport {
  const patients = loadPatients(allCsv, gradeCsv, t);
  const subtypeCols = ['IDHwt', 'IDHmut-non-codel', 'IDHmut-codel', 'NA'];
  const gradeCols = ['2', '3', '4', 'NA'];
  const expectedType: Record<string, string> = { IDHwt: 'glioblastoma-idh-wildtype', 'IDHmut-non-codel': 'astrocytoma-idh-mutant', 'IDHmut-codel': 'oligodendroglioma-idh-mutant-codeleted' };
  const decided = patients.filter((p) => p.who.type !== null && p.subtype in expectedType);
  const agree = decided.filter((p) => expectedType[p.subtype] === p.who.type).length;

  const { mol, other } = idhWt23(patients);
  const histGbm = patients.filter((p) => p.inputs.idhMutant === false && p.histGrade === '4');
  const astro = patients.filter((p) => p.who.type === 'astrocytoma-idh-mutant' && p.inputs.codeletion1p19q === false);
  const calls = (p: Patient) => cnvCalls(p.inputs, t);
  const withDel = astro.filter((p) => calls(p).cdknHomdel === true);
  const without = astro.filter((p) => calls(p).cdknHomdel === false);

  const gMol = group('IDH-wt, histological grade 2/3, rules: Glioblastoma, IDH-wildtype (EGFR amp. or +7/−10)', mol);
  const gOther = group('IDH-wt, histological grade 2/3, other', other);
  const gDel = group('Astrocytoma, IDH-mutant, with CDKN2A/B homozygous deletion', withDel);
  const gNoDel = group('Astrocytoma, IDH-mutant, without CDKN2A/B homozygous deletion', without);
  const reference = group('IDH-wt, histological glioblastoma (grade 4)', histGbm);

  const sensitivity = [0.1, 0.2, 0.3].map((cut) => {
    const s = idhWt23(loadPatients(allCsv, gradeCsv, thresholdsFor('tcga-gbmlgg', { armGain: cut, armLoss: -cut })));
    return { armCut: cut, molecularGbm: s.mol.length, otherIdhWt23: s.other.length };
  });

  return {
    thresholds: t,
    patients: patients.length,
    confusionSubtype: table(patients, (p) => p.subtype, subtypeCols),
    confusionGrade: table(patients, (p) => p.histGrade, gradeCols),
    confusionHistology: table(patients, (p) => p.histology, ['astrocytoma', 'oligoastrocytoma', 'oligodendroglioma', 'astrocytoma (glioblastoma)', 'NA']),
    typeAgreement: { agree, decided: decided.length },
    comparisons: [
      compare('Molecular glioblastoma vs the other IDH-wildtype grade 2/3 (cIMPACT-NOW 3)', gMol, mol, gOther, other),
      compare('IDH-mutant astrocytoma with vs without CDKN2A/B homozygous deletion (cIMPACT-NOW 5)', gDel, withDel, gNoDel, without),
    ],
    reference,
    sensitivity,
  };
}

const yrs = (v: number | null) => (v === null ? 'not reached' : v.toFixed(1));
const pval = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

function kmRow(g: KmGroup): string {
  const k = g.km;
  return `| ${g.name} | ${k.n} | ${k.events} | ${yrs(k.median)} | ${yrs(k.medianLower)} – ${yrs(k.medianUpper)} |`;
}

function mdTable(t: { rows: string[]; cols: string[]; counts: number[][] }, colTitle: (c: string) => string): string[] {
  const out = [`| rules (genomics only, no histology entered) | ${t.cols.map(colTitle).join(' | ')} | total |`, `|---|${t.cols.map(() => '---:').join('|')}|---:|`];
  t.rows.forEach((r, i) => {
    const c = t.counts[i] ?? [];
    out.push(`| ${r} | ${c.join(' | ')} | ${c.reduce((a, b) => a + b, 0)} |`);
  });
  return out;
}

/** The generated section of docs/who-cns5.md (between the markers). */
export function renderMarkdown(r: ValidationReport): string {
  const L: string[] = [];
  L.push(`${r.patients} patients; thresholds ${r.thresholds.profileSource} (gene GISTIC ≥ ${r.thresholds.geneAmplification} amplification, ≤ ${r.thresholds.geneHomozygousDeletion} homozygous deletion; arms ≥ ${r.thresholds.armGain} gain, ≤ ${r.thresholds.armLoss} loss). No histology is entered, so grades that need it stay open.`);
  L.push('');
  L.push('**Rule class vs the dataset\'s molecular subtype** (grade_data.csv `Molecular subtype`):');
  L.push('');
  L.push(...mdTable(r.confusionSubtype, (c) => c));
  L.push('');
  L.push(`Type agreement where both the rules and the dataset decide: ${r.typeAgreement.agree} of ${r.typeAgreement.decided} (${((100 * r.typeAgreement.agree) / Math.max(1, r.typeAgreement.decided)).toFixed(1)} %).`);
  L.push('');
  L.push('**Rule class vs the TCGA histological grade** (grade_data.csv `Grade`, pre-2021 WHO):');
  L.push('');
  L.push(...mdTable(r.confusionGrade, (c) => (c === 'NA' ? 'grade NA' : `grade ${c}`)));
  L.push('');
  L.push('**Rule class vs the TCGA histology** (grade_data.csv `Histology`, pre-2021 WHO; "astrocytoma (glioblastoma)" = glioblastoma):');
  L.push('');
  L.push(...mdTable(r.confusionHistology, (c) => (c === 'astrocytoma (glioblastoma)' ? 'glioblastoma' : c)));
  L.push('');
  L.push('**Kaplan–Meier** (overall survival in years; median with 95 % CI, log-log bands; log-rank test):');
  L.push('');
  L.push('| group | n | events | median (y) | 95 % CI (y) |');
  L.push('|---|---:|---:|---:|---|');
  for (const c of r.comparisons) L.push(kmRow(c.a), kmRow(c.b));
  L.push(kmRow(r.reference));
  L.push('');
  for (const c of r.comparisons) L.push(`- ${c.title}: log-rank χ² = ${c.chiSquare.toFixed(2)}, p = ${pval(c.logRankP)}.`);
  L.push('');
  L.push('**Arm cut-off sensitivity** (IDH-wildtype, histological grade 2/3):');
  L.push('');
  L.push('| arm gain / loss cut-off | molecular glioblastoma | other |');
  L.push('|---|---:|---:|');
  for (const s of r.sensitivity) L.push(`| ±${s.armCut} | ${s.molecularGbm} | ${s.otherIdhWt23} |`);
  return L.join('\n');
}

export const DOC_BEGIN = '<!-- BEGIN who-cns5-validation: generated by `npm run validate:who-cns5 -- --write`; do not edit by hand -->';
export const DOC_END = '<!-- END who-cns5-validation -->';

/** The generated section currently in the doc, or null when the markers are absent. */
export function docSection(doc: string): string | null {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < a) return null;
  return doc.slice(a + DOC_BEGIN.length, b).trim();
}

export function replaceDocSection(doc: string, body: string): string {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < a) throw badInput('docs/who-cns5.md has no generated-section markers.');
  return `${doc.slice(0, a + DOC_BEGIN.length)}\n${body}\n${doc.slice(b)}`;
}
