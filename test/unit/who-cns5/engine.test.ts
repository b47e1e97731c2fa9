import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, NO_MOLECULAR, histologicalFeaturesGrade, type MolecularInputs } from '../../../src/main/who-cns5/engine.ts';
import { TCGA_GBMLGG_THRESHOLDS, CATEGORICAL_CALLS_THRESHOLDS, thresholdsFor } from '../../../src/main/who-cns5/thresholds.ts';
import { inputsFromValues, matchColumns, inputsFromCells } from '../../../src/main/who-cns5/inputs.ts';
import { NO_HISTOLOGY, WhoClassification, type HistologyFindings } from '../../../src/shared/who-cns5.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';

const T = TCGA_GBMLGG_THRESHOLDS;
/** A fully measured, unremarkable profile: no CNV event, all arms 0. */
const base: MolecularInputs = { ...NO_MOLECULAR, cdkn2a: 0, cdkn2b: 0, egfr: 0, arm7p: 0, arm7q: 0, arm10p: 0, arm10q: 0 };
const H = (necrosis: boolean | null, mvp: boolean | null, mit: boolean | null): HistologyFindings => ({ necrosis, microvascularProliferation: mvp, mitoticActivityElevated: mit });
const run = (m: Partial<MolecularInputs>, h: HistologyFindings = NO_HISTOLOGY, t = T) => {
  const r = classify({ ...base, ...m }, h, t);
  WhoClassification.parse(r); // the shape the contract, the app and the PDF rely on
  return r;
};
const ids = (r: { criteria: { id: string }[] }) => r.criteria.map((c) => c.id);
const missingFields = (r: { missing: { field: string }[] }) => r.missing.map((x) => x.field);

// ---- glioblastoma, IDH-wildtype (cIMPACT-NOW 3 / WHO CNS5) --------------------------------------------------

test('IDH-wildtype + EGFR amplification (GISTIC 2) → Glioblastoma, IDH-wildtype, CNS WHO grade 4 with its evidence', () => {
  const r = run({ idhMutant: false, codeletion1p19q: false, egfr: 2 });
  assert.equal(r.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.equal(r.status, 'classified');
  assert.equal(r.grade, '4');
  const egfr = r.criteria.find((c) => c.id === 'gbm.egfr-amplification')!;
  assert.deepEqual([egfr.field, egfr.value, egfr.threshold], ['cnv_egfr', 'GISTIC 2', '≥ 2 (amplification)']);
  assert.match(egfr.source, /cIMPACT-NOW update 3/);
  assert.match(r.notes.join(' '), /Presumes an IDH-wildtype diffuse astrocytic glioma/);
});

test('EGFR gain (GISTIC 1) is not amplification', () => {
  const r = run({ idhMutant: false, codeletion1p19q: false, egfr: 1, tertPromoterMutant: false }, H(false, false, true));
  assert.equal(r.status, 'NEC');
  assert.ok(!ids(r).includes('gbm.egfr-amplification'));
});

test('+7/−10 needs both arms of 7 gained and both arms of 10 lost at the source thresholds', () => {
  const full = run({ idhMutant: false, arm7p: 0.8, arm7q: 0.7, arm10p: -0.9, arm10q: -0.6 });
  assert.equal(full.grade, '4');
  const c = full.criteria.find((x) => x.id === 'gbm.plus7-minus10')!;
  assert.match(c.value, /7p 0.8, 7q 0.7, 10p -0.9, 10q -0.6/);
  assert.match(c.threshold, /≥ 0.2.*≤ -0.2/);
  // 7q below the gain cut-off: not a whole-chromosome gain.
  const partial = run({ idhMutant: false, codeletion1p19q: false, arm7p: 0.8, arm7q: 0.15, arm10p: -0.9, arm10q: -0.6, tertPromoterMutant: false }, H(false, false, false));
  assert.ok(!ids(partial).includes('gbm.plus7-minus10'));
  assert.equal(partial.status, 'NEC');
  // Exactly at the cut-off counts.
  assert.equal(run({ idhMutant: false, arm7p: 0.2, arm7q: 0.2, arm10p: -0.2, arm10q: -0.2 }).grade, '4');
});

test('TERT promoter mutation, necrosis and microvascular proliferation each make IDH-wildtype a glioblastoma', () => {
  assert.deepEqual(ids(run({ idhMutant: false, tertPromoterMutant: true })).filter((i) => i.startsWith('gbm.')), ['gbm.tert']);
  assert.deepEqual(ids(run({ idhMutant: false }, H(true, null, null))).filter((i) => i.startsWith('gbm.')), ['gbm.necrosis']);
  assert.deepEqual(ids(run({ idhMutant: false }, H(null, true, null))).filter((i) => i.startsWith('gbm.')), ['gbm.mvp']);
  // Several criteria: every one that fired is listed.
  const all = run({ idhMutant: false, egfr: 2, tertPromoterMutant: true, arm7p: 1, arm7q: 1, arm10p: -1, arm10q: -1 }, H(true, true, true));
  assert.equal(all.criteria.filter((c) => c.id.startsWith('gbm.')).length, 5);
});

test('IDH-wildtype with histology of grade 3 and EGFR amplification is still grade 4 (molecular glioblastoma)', () => {
  const r = run({ idhMutant: false, egfr: 2 }, H(false, false, true));
  assert.equal(r.histologicalFeaturesGrade, '3');
  assert.equal(r.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.ok(!r.notes.some((n) => /Presumes/.test(n)), 'histology was entered');
});

test('IDH-wildtype without any criterion: NOS while something is unmeasured, NEC when everything was assessed', () => {
  const nos = run({ idhMutant: false, codeletion1p19q: false });
  assert.equal(nos.status, 'NOS');
  assert.equal(nos.diagnosis, 'Diffuse glioma, IDH-wildtype, NOS');
  assert.equal(nos.grade, null);
  assert.deepEqual(missingFields(nos), ['histology.necrosis', 'histology.microvascular_proliferation', 'tert_promoter']);
  assert.match(nos.reason!, /tert_promoter/);
  const nec = run({ idhMutant: false, codeletion1p19q: false, tertPromoterMutant: false }, H(false, false, true));
  assert.equal(nec.status, 'NEC');
  assert.equal(nec.diagnosis, 'Diffuse glioma, IDH-wildtype, NEC');
  assert.equal(nec.gradeText, '');
  // Arms missing → +7/−10 cannot be excluded.
  const arms = run({ idhMutant: false, arm7p: null, arm7q: 0.5, arm10p: -0.5, arm10q: -0.5, tertPromoterMutant: false }, H(false, false, false));
  assert.equal(arms.status, 'NOS');
  assert.deepEqual(missingFields(arms), ['arm_7p/arm_7q/arm_10p/arm_10q']);
  // One arm of 7 not gained already excludes a whole-chromosome gain, so the missing 7p does not matter.
  const decided = run({ idhMutant: false, arm7p: null, arm7q: 0, tertPromoterMutant: false }, H(false, false, false));
  assert.equal(decided.status, 'NEC');
});

// ---- contradictory and missing inputs ---------------------------------------------------------------------------

test('codeleted but IDH-wildtype → NEC, contradictory, never an oligodendroglioma', () => {
  const r = run({ idhMutant: false, codeletion1p19q: true, egfr: 2 });
  assert.equal(r.status, 'NEC');
  assert.equal(r.type, null);
  assert.equal(r.grade, null);
  assert.equal(r.diagnosis, 'Diffuse glioma, NEC');
  assert.match(r.reason!, /Contradictory.*1p\/19q codeletion with IDH-wildtype/);
  assert.deepEqual(ids(r), ['conflict.codel-idh-wildtype']);
});

test('IDH unknown → Diffuse glioma, NOS naming IDH as missing (even with codeletion or EGFR amplification)', () => {
  for (const m of [{ idhMutant: null }, { idhMutant: null, codeletion1p19q: true }, { idhMutant: null, egfr: 2 }]) {
    const r = run(m);
    assert.equal(r.status, 'NOS');
    assert.equal(r.diagnosis, 'Diffuse glioma, NOS');
    assert.deepEqual(missingFields(r), ['idh_mutation']);
    assert.match(r.reason!, /IDH status is not available/);
  }
});

test('IDH-mutant, 1p/19q unknown: NOS unless ATRX loss establishes astrocytoma', () => {
  const nos = run({ idhMutant: true, codeletion1p19q: null });
  assert.equal(nos.diagnosis, 'Diffuse glioma, IDH-mutant, NOS');
  assert.deepEqual(missingFields(nos), ['codeletion_1p19q', 'atrx_loss']);
  const astro = run({ idhMutant: true, codeletion1p19q: null, atrxLoss: true, cdkn2a: -2 });
  assert.equal(astro.integratedDiagnosis, 'Astrocytoma, IDH-mutant, CNS WHO grade 4');
  assert.ok(ids(astro).includes('astro.atrx-loss'));
});

test('ATRX loss with 1p/19q codeletion → NEC, contradictory', () => {
  const r = run({ idhMutant: true, codeletion1p19q: true, atrxLoss: true });
  assert.equal(r.status, 'NEC');
  assert.match(r.reason!, /ATRX loss with 1p\/19q codeletion/);
});

test('H3 K27M present → outside the adult-type rules (NOS, tumour location needed)', () => {
  const r = run({ idhMutant: false, egfr: 2, h3K27M: true });
  assert.equal(r.status, 'NOS');
  assert.match(r.reason!, /Diffuse midline glioma, H3 K27-altered/);
  assert.deepEqual(missingFields(r), ['tumour location']);
});

// ---- astrocytoma, IDH-mutant (cIMPACT-NOW 5) --------------------------------------------------------------------

test('IDH-mutant non-codeleted with CDKN2A homozygous deletion → Astrocytoma, IDH-mutant, CNS WHO grade 4 (no histology needed)', () => {
  const r = run({ idhMutant: true, codeletion1p19q: false, cdkn2a: -2, cdkn2b: 0 });
  assert.equal(r.integratedDiagnosis, 'Astrocytoma, IDH-mutant, CNS WHO grade 4');
  const c = r.criteria.find((x) => x.id === 'astro.grade4.cdkn2ab-homdel')!;
  assert.equal(c.value, 'CDKN2A GISTIC -2');
  assert.match(c.source, /update 5/);
  // CDKN2B alone also counts ("CDKN2A/B").
  assert.equal(run({ idhMutant: true, codeletion1p19q: false, cdkn2a: -1, cdkn2b: -2 }).grade, '4');
  // Hemizygous loss (−1) is not homozygous deletion.
  assert.equal(run({ idhMutant: true, codeletion1p19q: false, cdkn2a: -1, cdkn2b: -1 }, H(false, false, false)).grade, '2');
});

test('IDH-mutant astrocytoma without CDKN2A/B deletion and without histology: grade undecided, never picked', () => {
  const r = run({ idhMutant: true, codeletion1p19q: false });
  assert.equal(r.status, 'classified');
  assert.equal(r.grade, null);
  assert.deepEqual(r.gradeOptions, ['2', '3', '4']);
  assert.equal(r.gradeText, 'CNS WHO grade 2, 3 or 4 — needs histology');
  assert.deepEqual(missingFields(r), ['histology.necrosis', 'histology.microvascular_proliferation', 'histology.mitotic_activity']);
  // Necrosis and MVP assessed absent: only mitotic activity is open.
  const open = run({ idhMutant: true, codeletion1p19q: false }, H(false, false, null));
  assert.equal(open.gradeText, 'CNS WHO grade 2 or 3 — needs the remaining histology findings');
});

test('IDH-mutant astrocytoma grades from histology: necrosis/MVP → 4, mitoses → 3, none → 2', () => {
  assert.equal(run({ idhMutant: true, codeletion1p19q: false }, H(true, false, false)).grade, '4');
  assert.equal(run({ idhMutant: true, codeletion1p19q: false }, H(false, true, false)).grade, '4');
  assert.equal(run({ idhMutant: true, codeletion1p19q: false }, H(false, false, true)).integratedDiagnosis, 'Astrocytoma, IDH-mutant, CNS WHO grade 3');
  assert.equal(run({ idhMutant: true, codeletion1p19q: false }, H(false, false, false)).integratedDiagnosis, 'Astrocytoma, IDH-mutant, CNS WHO grade 2');
});

test('IDH-mutant astrocytoma, histology grade 2 but CDKN2A/B not measured: 2 or 4, names CDKN2A and CDKN2B', () => {
  const r = run({ idhMutant: true, codeletion1p19q: false, cdkn2a: null, cdkn2b: null }, H(false, false, false));
  assert.deepEqual(r.gradeOptions, ['2', '4']);
  assert.equal(r.gradeText, 'CNS WHO grade 2 or 4 — needs CDKN2A/B');
  assert.deepEqual(missingFields(r), ['cnv_cdkn2a', 'cnv_cdkn2b']);
  // One gene measured without deletion, the other missing: still open.
  assert.equal(run({ idhMutant: true, codeletion1p19q: false, cdkn2a: 0, cdkn2b: null }, H(false, false, false)).grade, null);
});

// ---- oligodendroglioma -----------------------------------------------------------------------------------------

test('IDH-mutant and 1p/19q-codeleted → Oligodendroglioma; grade 3 with anaplastic features, 2 without, open without histology', () => {
  const open = run({ idhMutant: true, codeletion1p19q: true });
  assert.equal(open.diagnosis, 'Oligodendroglioma, IDH-mutant and 1p/19q-codeleted');
  assert.equal(open.gradeText, 'CNS WHO grade 2 or 3 — needs histology (necrosis, microvascular proliferation, mitotic activity)');
  assert.equal(run({ idhMutant: true, codeletion1p19q: true }, H(false, false, true)).grade, '3');
  assert.equal(run({ idhMutant: true, codeletion1p19q: true }, H(false, true, null)).grade, '3');
  assert.equal(run({ idhMutant: true, codeletion1p19q: true }, H(false, false, false)).integratedDiagnosis, 'Oligodendroglioma, IDH-mutant and 1p/19q-codeleted, CNS WHO grade 2');
  // Never grade 4, even with CDKN2A/B homozygous deletion (noted, grade follows histology).
  const del = run({ idhMutant: true, codeletion1p19q: true, cdkn2a: -2 }, H(false, false, false));
  assert.equal(del.grade, '2');
  assert.match(del.notes.join(' '), /CDKN2A\/B homozygous deletion/);
});

// ---- thresholds, inputs, molecular line ------------------------------------------------------------------------

test('thresholds are per profile source: categorical arm calls use ±1, overrides apply', () => {
  const m = { idhMutant: false, codeletion1p19q: false, arm7p: 0.5, arm7q: 0.5, arm10p: -0.5, arm10q: -0.5, tertPromoterMutant: false };
  assert.equal(run(m, H(false, false, false), T).grade, '4');
  assert.equal(run(m, H(false, false, false), CATEGORICAL_CALLS_THRESHOLDS).status, 'NEC');
  assert.equal(run(m, H(false, false, false), thresholdsFor('tcga-gbmlgg', { armGain: 0.6, armLoss: -0.6 })).status, 'NEC');
  assert.match(run(m).thresholds.summary, /tcga-gbmlgg: gene amplification GISTIC ≥ 2/);
});

test('histological features grade', () => {
  assert.equal(histologicalFeaturesGrade(NO_HISTOLOGY), null);
  assert.equal(histologicalFeaturesGrade(H(null, true, null)), '4');
  assert.equal(histologicalFeaturesGrade(H(false, false, true)), '3');
  assert.equal(histologicalFeaturesGrade(H(false, null, false)), null);
});

test('molecular information line lists measured markers and says "not assessed" for the core ones', () => {
  const r = run({ idhMutant: false, codeletion1p19q: false, egfr: 2, cdkn2a: -2, mgmtPromoterMethylated: true, arm7p: null, arm7q: 1, arm10p: -1, arm10q: -1 });
  assert.equal(r.molecularInformation, 'IDH: wild-type; 1p/19q: not codeleted; CDKN2A/B: homozygous deletion; EGFR: amplified; +7/−10: not assessed; MGMT promoter: methylated');
  assert.match(r.notes.join(' '), /MGMT promoter methylated: predictive/);
});

test('stored profile values: imputed (null) fields stay missing; bad values are refused naming the field', () => {
  const m = inputsFromValues({ idh_mutation: 0, codeletion_1p19q: null, cnv_egfr: 2, arm_7p: 0.3, age_at_diagnosis: 61 });
  assert.equal(m.idhMutant, false);
  assert.equal(m.codeletion1p19q, null);
  assert.equal(m.egfr, 2);
  assert.equal(m.ageYears, 61);
  assert.throws(() => inputsFromValues({ idh_mutation: 0.5 }), (e: unknown) => e instanceof GliofuseError && e.code === 'BAD_INPUT' && /idh_mutation must be 0 or 1/.test(e.message));
  assert.throws(() => inputsFromValues({ cnv_egfr: 3 }), /cnv_egfr must be a whole copy-number call/);
});

test('CSV columns: TCGA names, feature ids and optional marker columns; duplicates and no known column are errors', () => {
  const { byField, used } = matchColumns(['TCGA ID', 'idh mutation', 'codeletion', 'EGFR', 'TERT promoter', 'PTEN']);
  assert.deepEqual(used, ['idh_mutation', 'codeletion_1p19q', 'cnv_egfr', 'tert_promoter']);
  const m = inputsFromCells(byField, ['X', '0', '0', 'NA', '1', '0'], 'row X');
  assert.equal(m.egfr, null);
  assert.equal(m.tertPromoterMutant, true);
  assert.throws(() => inputsFromCells(byField, ['X', 'yes', '0', '0', '1', '0'], 'row X'), /row X: idh_mutation "yes" is not a number/);
  assert.throws(() => matchColumns(['idh mutation', 'IDH']), /both give idh_mutation/);
  assert.throws(() => matchColumns(['foo', 'bar']), /No column of the WHO CNS5 rules/);
});
