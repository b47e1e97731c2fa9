/**
 * WHO CNS5 (2021) rules for adult-type diffuse gliomas, with cIMPACT-NOW updates 3 (molecular glioblastoma),
 * 5 (grading of IDH-mutant astrocytoma) and 6 (grading within types, Arabic numerals), and update 1 (NOS / NEC).
 * Pure: no I/O, no clock. Every decision names the criterion and its evidence; when the inputs do not decide, the
 * result says NOS / NEC or lists the grades still possible with what is needed — it never picks one.
 * Sources and the full rule table: docs/who-cns5.md.
 */
import { NO_HISTOLOGY, type HistologyFindings, type WhoClassification, type WhoCriterion, type WhoType } from '../../shared/who-cns5.ts';
import { describeThresholds, type CnvThresholds } from './thresholds.ts';

export const RULES_ID = 'gliofuse-who-cns5-rules/1 (WHO CNS5 2021; cIMPACT-NOW 1, 3, 5, 6)';

/** Molecular inputs as measured; null = not measured / not in the profile. */
export interface MolecularInputs {
  idhMutant: boolean | null;
  codeletion1p19q: boolean | null;
  /** Gene-level copy number in the profile source's unit (TCGA: GISTIC −2..2). */
  cdkn2a: number | null;
  cdkn2b: number | null;
  egfr: number | null;
  /** Arm-level copy number in the profile source's unit. */
  arm7p: number | null;
  arm7q: number | null;
  arm10p: number | null;
  arm10q: number | null;
  tertPromoterMutant: boolean | null;
  /** Loss of nuclear ATRX expression or an inactivating ATRX mutation. */
  atrxLoss: boolean | null;
  tp53Mutant: boolean | null;
  h3K27M: boolean | null;
  mgmtPromoterMethylated: boolean | null;
  ageYears: number | null;
}

export const NO_MOLECULAR: MolecularInputs = {
  idhMutant: null, codeletion1p19q: null, cdkn2a: null, cdkn2b: null, egfr: null, arm7p: null, arm7q: null, arm10p: null, arm10q: null,
  tertPromoterMutant: null, atrxLoss: null, tp53Mutant: null, h3K27M: null, mgmtPromoterMethylated: null, ageYears: null,
};

/** Field names as shown in evidence and "missing" lists (the profile's feature ids where it has them). */
export const FIELD = {
  idh: 'idh_mutation', codel: 'codeletion_1p19q', cdkn2a: 'cnv_cdkn2a', cdkn2b: 'cnv_cdkn2b', egfr: 'cnv_egfr',
  arm7p: 'arm_7p', arm7q: 'arm_7q', arm10p: 'arm_10p', arm10q: 'arm_10q', tert: 'tert_promoter', atrx: 'atrx_loss',
  tp53: 'tp53_mutation', h3: 'h3_k27m', mgmt: 'mgmt_promoter_methylation', age: 'age_at_diagnosis',
  necrosis: 'histology.necrosis', mvp: 'histology.microvascular_proliferation', mitoses: 'histology.mitotic_activity',
} as const;

export const SOURCES = {
  who2021: 'WHO CNS5 2021 (Louis et al. 2021)',
  cimpact1: 'cIMPACT-NOW update 1',
  cimpact3: 'cIMPACT-NOW update 3',
  cimpact5: 'cIMPACT-NOW update 5',
  cimpact6: 'cIMPACT-NOW update 6',
} as const;

type Grade = '2' | '3' | '4';
type Tri = boolean | null;

const TYPE_NAME: Record<WhoType, string> = {
  'glioblastoma-idh-wildtype': 'Glioblastoma, IDH-wildtype',
  'astrocytoma-idh-mutant': 'Astrocytoma, IDH-mutant',
  'oligodendroglioma-idh-mutant-codeleted': 'Oligodendroglioma, IDH-mutant and 1p/19q-codeleted',
};

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000));
const or = (a: Tri, b: Tri): Tri => (a === true || b === true ? true : a === false && b === false ? false : null);
const and = (a: Tri, b: Tri): Tri => (a === false || b === false ? false : a === true && b === true ? true : null);

/** Copy-number calls derived from the thresholds (the only place values become calls). */
export function cnvCalls(m: MolecularInputs, t: CnvThresholds) {
  const amp = (v: number | null): Tri => (v === null ? null : v >= t.geneAmplification);
  const homdel = (v: number | null): Tri => (v === null ? null : v <= t.geneHomozygousDeletion);
  const gain = (v: number | null): Tri => (v === null ? null : v >= t.armGain);
  const loss = (v: number | null): Tri => (v === null ? null : v <= t.armLoss);
  const plus7 = and(gain(m.arm7p), gain(m.arm7q));
  const minus10 = and(loss(m.arm10p), loss(m.arm10q));
  return {
    egfrAmplified: amp(m.egfr),
    cdkn2aHomdel: homdel(m.cdkn2a),
    cdkn2bHomdel: homdel(m.cdkn2b),
    /** "CDKN2A/B homozygous deletion": either gene deleted decides yes; no needs both measured and not deleted. */
    cdknHomdel: or(homdel(m.cdkn2a), homdel(m.cdkn2b)),
    plus7,
    minus10,
    plus7minus10: and(plus7, minus10),
  };
}

/** The grade the histological features alone support (null when they were not entered). */
export function histologicalFeaturesGrade(h: HistologyFindings): Grade | null {
  if (h.necrosis === true || h.microvascularProliferation === true) return '4';
  if (h.necrosis === false && h.microvascularProliferation === false) {
    if (h.mitoticActivityElevated === true) return '3';
    if (h.mitoticActivityElevated === false) return '2';
  }
  return null;
}

/** "2 or 3", "2, 3 or 4". */
function listGrades(g: readonly string[]): string {
  return g.length <= 1 ? g.join('') : `${g.slice(0, -1).join(', ')} or ${g[g.length - 1]}`;
}

function sortGrades(s: Set<Grade>): Grade[] {
  return [...s].sort();
}

export function classify(m: MolecularInputs, histology: HistologyFindings = NO_HISTOLOGY, t: CnvThresholds): WhoClassification {
  const c = cnvCalls(m, t);
  const h = histology;
  const criteria: WhoCriterion[] = [];
  const missing: { field: string; why: string }[] = [];
  const notes: string[] = [];
  const crit = (id: string, statement: string, field: string, value: string, threshold: string, source: string) => criteria.push({ id, statement, field, value, threshold, source });
  const miss = (field: string, why: string) => { if (!missing.some((x) => x.field === field)) missing.push({ field, why }); };
  const histEntered = h.necrosis !== null || h.microvascularProliferation !== null || h.mitoticActivityElevated !== null;
  const base = { rules: RULES_ID, molecularInformation: molecularLine(m, c), histologicalFeaturesGrade: histologicalFeaturesGrade(h), thresholds: { profileSource: t.profileSource, summary: describeThresholds(t) } };

  const done = (status: WhoClassification['status'], type: WhoType | null, diagnosis: string, grades: Set<Grade>, reason: string | null, needs: string): WhoClassification => {
    const options = sortGrades(grades);
    const grade = options.length === 1 ? (options[0] as Grade) : null;
    const gradeText = type === null ? '' : grade ? `CNS WHO grade ${grade}` : `CNS WHO grade ${listGrades(options)} — ${needs}`;
    const why = reason ?? (type !== null && grade === null ? `The grade is not decided: ${needs}.` : null);
    return { ...base, status, type, diagnosis, grade, gradeOptions: options, gradeText, integratedDiagnosis: gradeText ? `${diagnosis}, ${gradeText}` : diagnosis, reason: why, criteria, missing, notes };
  };

  if (m.ageYears !== null && m.ageYears < 18) notes.push(`Age ${fmt(m.ageYears)} years: these are adult-type rules; pediatric-type diffuse gliomas must be considered first (WHO CNS5).`);
  if (m.mgmtPromoterMethylated !== null) notes.push(`MGMT promoter ${m.mgmtPromoterMethylated ? 'methylated' : 'unmethylated'}: predictive/prognostic, it does not change type or grade.`);

  // H3 K27M places a diffuse glioma outside the adult-type rules (Diffuse midline glioma, H3 K27-altered, needs the
  // midline location, which is not an input): say so rather than force an adult-type name.
  if (m.h3K27M === true) {
    crit('h3.k27m', 'H3 K27M present: a pediatric-type diffuse high-grade glioma type applies, not the adult-type rules', FIELD.h3, 'mutant', 'present', SOURCES.who2021);
    miss('tumour location', 'Diffuse midline glioma, H3 K27-altered (CNS WHO grade 4) requires a midline location, which is not among the inputs');
    return done('NOS', null, 'Diffuse glioma, NOS', new Set(), 'H3 K27M is present: consider Diffuse midline glioma, H3 K27-altered (midline location needed); the adult-type diffuse glioma rules do not apply.', '');
  }

  if (m.idhMutant === null) {
    miss(FIELD.idh, 'every adult-type diffuse glioma type is defined by IDH status');
    if (m.codeletion1p19q === true) notes.push('1p/19q codeletion is reported, but oligodendroglioma also requires a proven IDH mutation.');
    return done('NOS', null, 'Diffuse glioma, NOS', new Set(), 'IDH status is not available; WHO CNS5 separates adult-type diffuse gliomas by IDH (cIMPACT-NOW update 1: NOS when the needed test was not done).', '');
  }

  if (!m.idhMutant) {
    if (m.codeletion1p19q === true) {
      crit('conflict.codel-idh-wildtype', '1p/19q codeletion with IDH-wildtype: contradictory', `${FIELD.idh}, ${FIELD.codel}`, 'IDH wild-type, 1p/19q codeleted', 'oligodendroglioma requires IDH mutation AND 1p/19q codeletion', SOURCES.who2021);
      return done('NEC', null, 'Diffuse glioma, NEC', new Set(), 'Contradictory: 1p/19q codeletion with IDH-wildtype fits no WHO CNS5 type. Re-test IDH (sequencing; IDH1 R132H immunohistochemistry misses non-canonical IDH1/2 mutations) and 1p/19q (whole-arm codeletion, not partial deletions).', '');
    }
    // cIMPACT-NOW 3 / WHO CNS5: an IDH-wildtype diffuse astrocytic glioma in an adult is a glioblastoma with any one of
    // necrosis, microvascular proliferation, TERT promoter mutation, EGFR amplification or +7/−10.
    const fired: string[] = [];
    if (h.necrosis === true) { fired.push('necrosis'); crit('gbm.necrosis', 'Necrosis in an IDH-wildtype diffuse glioma', FIELD.necrosis, 'present', 'present', SOURCES.who2021); }
    if (h.microvascularProliferation === true) { fired.push('microvascular proliferation'); crit('gbm.mvp', 'Microvascular proliferation in an IDH-wildtype diffuse glioma', FIELD.mvp, 'present', 'present', SOURCES.who2021); }
    if (m.tertPromoterMutant === true) { fired.push('TERT promoter mutation'); crit('gbm.tert', 'TERT promoter mutation (molecular glioblastoma)', FIELD.tert, 'mutant', 'present', SOURCES.cimpact3); }
    if (c.egfrAmplified === true) { fired.push('EGFR amplification'); crit('gbm.egfr-amplification', 'EGFR amplification (molecular glioblastoma)', FIELD.egfr, `${t.geneUnit} ${fmt(m.egfr as number)}`, `≥ ${t.geneAmplification} (amplification)`, SOURCES.cimpact3); }
    if (c.plus7minus10 === true) {
      fired.push('+7/−10');
      crit('gbm.plus7-minus10', 'Whole chromosome 7 gain with whole chromosome 10 loss (+7/−10, molecular glioblastoma)', `${FIELD.arm7p}, ${FIELD.arm7q}, ${FIELD.arm10p}, ${FIELD.arm10q}`,
        `7p ${fmt(m.arm7p as number)}, 7q ${fmt(m.arm7q as number)}, 10p ${fmt(m.arm10p as number)}, 10q ${fmt(m.arm10q as number)}`, `7p and 7q ≥ ${t.armGain}; 10p and 10q ≤ ${t.armLoss}`, SOURCES.cimpact3);
    }
    crit('idh.wildtype', 'IDH-wildtype', FIELD.idh, 'wild-type', 'no IDH1/IDH2 mutation', SOURCES.who2021);
    if (fired.length > 0) {
      if (!histEntered) notes.push('Presumes an IDH-wildtype diffuse astrocytic glioma in an adult on histology (histology findings were not entered).');
      if (m.h3K27M === null) notes.push('H3 K27 status not available: for a midline tumour it is needed to exclude Diffuse midline glioma, H3 K27-altered.');
      return done('classified', 'glioblastoma-idh-wildtype', TYPE_NAME['glioblastoma-idh-wildtype'], new Set(['4']), null, '');
    }
    const unknown: [Tri, string, string][] = [
      [h.necrosis, FIELD.necrosis, 'necrosis makes an IDH-wildtype diffuse glioma a glioblastoma'],
      [h.microvascularProliferation, FIELD.mvp, 'microvascular proliferation makes an IDH-wildtype diffuse glioma a glioblastoma'],
      [m.tertPromoterMutant, FIELD.tert, 'a TERT promoter mutation makes it a (molecular) glioblastoma'],
      [c.egfrAmplified, FIELD.egfr, 'EGFR amplification makes it a (molecular) glioblastoma'],
      [c.plus7minus10, `${FIELD.arm7p}/${FIELD.arm7q}/${FIELD.arm10p}/${FIELD.arm10q}`, '+7/−10 makes it a (molecular) glioblastoma'],
    ];
    const open = unknown.filter(([v]) => v === null);
    for (const [, field, why] of open) miss(field, why);
    if (open.length > 0) {
      return done('NOS', null, 'Diffuse glioma, IDH-wildtype, NOS', new Set(),
        `IDH-wildtype without a glioblastoma criterion among the inputs given; not assessed: ${open.map(([, f]) => f).join(', ')} — any one of them could make it Glioblastoma, IDH-wildtype, CNS WHO grade 4.`, '');
    }
    return done('NEC', null, 'Diffuse glioma, IDH-wildtype, NEC', new Set(),
      'IDH-wildtype without necrosis, microvascular proliferation, TERT promoter mutation, EGFR amplification or +7/−10: no adult-type diffuse glioma type fits; consider pediatric-type diffuse gliomas (MAPK, H3, MYB/MYBL1 alterations) and other entities, or DNA methylation profiling.', '');
  }

  // IDH-mutant.
  crit('idh.mutant', 'IDH-mutant', FIELD.idh, 'mutant', 'IDH1 or IDH2 mutation', SOURCES.who2021);
  const histOptions = (oligo: boolean): Set<Grade> => {
    if (oligo) {
      if (h.necrosis === true || h.microvascularProliferation === true || h.mitoticActivityElevated === true) return new Set(['3']);
      if (h.necrosis === false && h.microvascularProliferation === false && h.mitoticActivityElevated === false) return new Set(['2']);
      return new Set(['2', '3']);
    }
    const g = histologicalFeaturesGrade(h);
    if (g) return new Set([g]);
    const s = new Set<Grade>();
    if (h.mitoticActivityElevated !== false) s.add('3');
    if (h.mitoticActivityElevated !== true) s.add('2');
    if (h.necrosis !== false || h.microvascularProliferation !== false) s.add('4');
    return s;
  };
  const histMissing = () => {
    if (h.necrosis === null) miss(FIELD.necrosis, 'necrosis is a grade criterion');
    if (h.microvascularProliferation === null) miss(FIELD.mvp, 'microvascular proliferation is a grade criterion');
    if (h.mitoticActivityElevated === null) miss(FIELD.mitoses, 'mitotic activity separates grade 2 from grade 3');
  };

  if (m.codeletion1p19q === true) {
    if (m.atrxLoss === true) {
      crit('conflict.atrx-codel', 'ATRX loss with 1p/19q codeletion: contradictory', `${FIELD.atrx}, ${FIELD.codel}`, 'ATRX lost, 1p/19q codeleted', 'ATRX loss and 1p/19q codeletion are practically mutually exclusive', SOURCES.who2021);
      return done('NEC', null, 'Diffuse glioma, IDH-mutant, NEC', new Set(), 'Contradictory: ATRX loss with 1p/19q codeletion. Re-test 1p/19q (whole-arm codeletion) and ATRX before assigning astrocytoma or oligodendroglioma.', '');
    }
    crit('oligo.codeletion', '1p/19q whole-arm codeletion with IDH mutation (oligodendroglioma)', FIELD.codel, 'codeleted', 'codeleted', SOURCES.who2021);
    if (h.necrosis === true) crit('oligo.grade3.necrosis', 'Necrosis: grade 3 oligodendroglioma', FIELD.necrosis, 'present', 'present', SOURCES.who2021);
    if (h.microvascularProliferation === true) crit('oligo.grade3.mvp', 'Microvascular proliferation: grade 3 oligodendroglioma', FIELD.mvp, 'present', 'present', SOURCES.who2021);
    if (h.mitoticActivityElevated === true) crit('oligo.grade3.mitoses', 'Brisk mitotic activity: grade 3 oligodendroglioma', FIELD.mitoses, 'elevated', 'elevated (grade 3 level)', SOURCES.who2021);
    const opts = histOptions(true);
    if (opts.size > 1) histMissing();
    else if (opts.has('2')) crit('oligo.grade2', 'No necrosis, microvascular proliferation or brisk mitotic activity: grade 2 oligodendroglioma', `${FIELD.necrosis}, ${FIELD.mvp}, ${FIELD.mitoses}`, 'absent, absent, low', 'all absent / low', SOURCES.who2021);
    if (c.cdknHomdel === true) notes.push('CDKN2A/B homozygous deletion: associated with shorter survival in oligodendroglioma (reported mainly in grade 3 tumours); WHO CNS5 grades oligodendroglioma by histology, so the grade here follows the histology findings.');
    if (m.tertPromoterMutant === false) notes.push('TERT promoter wild-type is unusual in oligodendroglioma; consider confirming 1p/19q.');
    return done('classified', 'oligodendroglioma-idh-mutant-codeleted', TYPE_NAME['oligodendroglioma-idh-mutant-codeleted'], opts, null, 'needs histology (necrosis, microvascular proliferation, mitotic activity)');
  }

  if (m.codeletion1p19q === false || m.atrxLoss === true) {
    if (m.codeletion1p19q === false) crit('astro.no-codeletion', 'IDH-mutant without 1p/19q codeletion (astrocytoma)', FIELD.codel, 'not codeleted', 'not codeleted', SOURCES.who2021);
    if (m.atrxLoss === true) crit('astro.atrx-loss', 'ATRX loss in an IDH-mutant diffuse glioma (astrocytic lineage; 1p/19q testing not required)', FIELD.atrx, 'lost', 'lost', SOURCES.who2021);
    if (m.codeletion1p19q === null) notes.push('1p/19q codeletion was not measured; ATRX loss establishes the astrocytic lineage (WHO CNS5).');
    if (m.tp53Mutant === true) notes.push('TP53 mutation supports the astrocytic lineage.');
    let grades: Set<Grade>;
    if (c.cdknHomdel === true) {
      const which = [c.cdkn2aHomdel ? `CDKN2A ${t.geneUnit} ${fmt(m.cdkn2a as number)}` : null, c.cdkn2bHomdel ? `CDKN2B ${t.geneUnit} ${fmt(m.cdkn2b as number)}` : null].filter(Boolean).join(', ');
      crit('astro.grade4.cdkn2ab-homdel', 'CDKN2A/B homozygous deletion: CNS WHO grade 4 even without necrosis or microvascular proliferation', `${FIELD.cdkn2a}, ${FIELD.cdkn2b}`, which, `≤ ${t.geneHomozygousDeletion} (homozygous deletion)`, SOURCES.cimpact5);
      grades = new Set(['4']);
    } else {
      const hist = histOptions(false);
      if (h.necrosis === true) crit('astro.grade4.necrosis', 'Necrosis: CNS WHO grade 4 astrocytoma', FIELD.necrosis, 'present', 'present', SOURCES.cimpact5);
      if (h.microvascularProliferation === true) crit('astro.grade4.mvp', 'Microvascular proliferation: CNS WHO grade 4 astrocytoma', FIELD.mvp, 'present', 'present', SOURCES.cimpact5);
      if (c.cdknHomdel === null) {
        if (m.cdkn2a === null) miss(FIELD.cdkn2a, 'CDKN2A/B homozygous deletion makes an IDH-mutant astrocytoma CNS WHO grade 4');
        if (m.cdkn2b === null) miss(FIELD.cdkn2b, 'CDKN2A/B homozygous deletion makes an IDH-mutant astrocytoma CNS WHO grade 4');
        grades = new Set([...hist, '4']);
      } else {
        grades = hist;
      }
      if (hist.size > 1) histMissing();
      else if (hist.has('3')) crit('astro.grade3.mitoses', 'Elevated mitotic activity without necrosis, microvascular proliferation or CDKN2A/B homozygous deletion: CNS WHO grade 3', FIELD.mitoses, 'elevated', 'elevated (grade 3 level)', SOURCES.cimpact5);
      else if (hist.has('2')) crit('astro.grade2', 'Low mitotic activity, no necrosis, microvascular proliferation or CDKN2A/B homozygous deletion: CNS WHO grade 2', `${FIELD.necrosis}, ${FIELD.mvp}, ${FIELD.mitoses}`, 'absent, absent, low', 'all absent / low', SOURCES.cimpact5);
    }
    const needs = [
      c.cdknHomdel === null ? 'needs CDKN2A/B' : null,
      histOptions(false).size > 1 ? (histEntered ? 'needs the remaining histology findings' : 'needs histology') : null,
    ].filter(Boolean).join(' and ');
    return done('classified', 'astrocytoma-idh-mutant', TYPE_NAME['astrocytoma-idh-mutant'], grades, null, needs);
  }

  miss(FIELD.codel, '1p/19q codeletion separates oligodendroglioma from astrocytoma');
  if (m.atrxLoss === null) miss(FIELD.atrx, 'ATRX loss would establish astrocytoma without 1p/19q testing');
  return done('NOS', null, 'Diffuse glioma, IDH-mutant, NOS', new Set(), '1p/19q codeletion status is not available (and ATRX loss is not reported): astrocytoma and oligodendroglioma cannot be told apart.', '');
}

/** The molecular-information layer of the layered report, from the measured inputs only. */
export function molecularLine(m: MolecularInputs, c: ReturnType<typeof cnvCalls>): string {
  const parts: string[] = [];
  const yn = (v: Tri, yes: string, no: string) => (v === null ? null : v ? yes : no);
  const push = (label: string, v: string | null, always = false) => { if (v !== null) parts.push(`${label}: ${v}`); else if (always) parts.push(`${label}: not assessed`); };
  push('IDH', yn(m.idhMutant, 'mutant', 'wild-type'), true);
  push('1p/19q', yn(m.codeletion1p19q, 'codeleted', 'not codeleted'), true);
  push('CDKN2A/B', yn(c.cdknHomdel, 'homozygous deletion', 'no homozygous deletion'), true);
  push('EGFR', yn(c.egfrAmplified, 'amplified', 'not amplified'), true);
  push('+7/−10', yn(c.plus7minus10, 'present', 'absent'), true);
  push('TERT promoter', yn(m.tertPromoterMutant, 'mutant', 'wild-type'));
  push('ATRX', yn(m.atrxLoss, 'lost', 'retained'));
  push('TP53', yn(m.tp53Mutant, 'mutant', 'wild-type'));
  push('H3 K27M', yn(m.h3K27M, 'mutant', 'wild-type'));
  push('MGMT promoter', yn(m.mgmtPromoterMethylated, 'methylated', 'unmethylated'));
  return parts.join('; ');
}
