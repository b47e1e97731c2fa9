/**
 * The report PDF read back with pdftotext: RUO statement and "page X/Y" on every page, NOT SIGNED or the signed
 * layers, the AI block (probabilities to two decimals, risk group with the KM plot, heatmap legend or the reason it
 * is absent, top patches, genomic attributions), inputs with imputed fields marked, provenance and limitations.
 * Results are real outputs of the tiny test model (fixtures/real-result.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { realFixture, type Fixture } from './fixtures/real-result.ts';
import { keepPdf, pdfImageCount, pdfInfo, pdfPages, renderPagePng } from './fixtures/pdf-tools.ts';
import { renderReportPdf } from '../../../src/main/report/render-pdf.ts';
import { reportInputFromResult, type ReportInput } from '../../../src/main/report/report-input.ts';
import { RUO_STATEMENT } from '../../../src/shared/ruo.ts';
import { aiGradeDisplay } from '../../../src/shared/who-cns5.ts';

let root: string;
let withPath: Fixture;
let genomicsOnly: Fixture;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-report-'));
  withPath = await realFixture(root, { pathologyValidated: true });
  genomicsOnly = await realFixture(root);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

const flat = (s: string) => s.replace(/\s+/g, ' ');

function inputFor(fx: Fixture, extra: Partial<ReportInput> = {}): ReportInput {
  return {
    ...reportInputFromResult({
      result: fx.result,
      case: { patientPseudonym: 'GF-0042', caseId: '17', accession: 'S26-00117', specimen: 'left frontal lobe resection', collectedOn: '2026-03-02', status: 'ready_for_review' },
      appVersion: '0.1.0-test',
      analysisId: 5,
      cohort: fx.cohort,
      slideThumbnail: fx.thumbnail,
      slide: { fileName: fx.slide.fileName, vendor: 'generic-tiff', width: fx.slide.width, height: fx.slide.height, mppX: 0.499, mppY: 0.499, properties: { 'openslide.objective-power': '20' }, qualityFlags: [], hashKind: null, hash: null },
      intendedUse: RUO_STATEMENT,
      auditHead: { seq: 12, hash: 'ab'.repeat(32) },
    }),
    ...extra,
  };
}

function assertEveryPage(pages: string[]): void {
  assert.ok(pages.length >= 2, `a multi-page report (${pages.length})`);
  pages.forEach((p, i) => {
    assert.ok(flat(p).includes(RUO_STATEMENT), `RUO statement on page ${i + 1}`);
    assert.match(p, new RegExp(`page ${i + 1}/${pages.length}\\b`), `page ${i + 1}/${pages.length}`);
    assert.match(p, /Patient GF-0042/, `pseudonymous header on page ${i + 1}`);
  });
}

test('pathology as evidence: every page carries RUO + page X/Y; AI block, KM plot, heatmap legend, inputs and provenance are printed', async () => {
  const r = withPath.result;
  const pdf = await renderReportPdf(inputFor(withPath));
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const info = pdfInfo(pdf);
  const pages = pdfPages(pdf);
  assert.equal(Number(info.Pages), pages.length);
  assertEveryPage(pages);
  const all = flat(pages.join('\n'));

  assert.match(all, /NOT SIGNED/);
  assert.match(all, /No pathologist has signed a diagnosis/);
  assert.match(all, /AI-SUGGESTED - research model output, not a diagnosis/);
  for (const p of [...r.grade.probs, ...r.molecularClass.probs]) assert.ok(all.includes(p.p.toFixed(2)), `probability ${p.label} ${p.p.toFixed(2)}`);
  const gTop = r.grade.probs.find((p) => p.label === r.grade.top)!;
  assert.ok(all.includes(`Top: ${aiGradeDisplay(gTop.label)} - ${gTop.p.toFixed(2)}`), 'top grade in words (histological grade, TCGA pre-2021) with its probability');
  assert.match(all, /Histological grade \(TCGA, pre-2021; temperature-scaled probabilities\) - AI/);
  assert.doesNotMatch(all, /Top: CNS WHO grade/, 'the AI grade is never worded as a CNS WHO grade');
  assert.ok(all.includes(`Risk group: ${r.survival.riskGroup}`));
  assert.ok(all.includes("this case's risk group"), 'KM legend marks the case group');
  assert.match(all, /not a survival prediction or promise for this patient/);
  assert.match(all, /Cohort curves: TEST FIXTURE/);
  assert.match(all, /years since diagnosis/);
  // Heatmap: one raster image (the thumbnail with the overlay) and its legend.
  assert.equal(pdfImageCount(pdf), 1);
  assert.ok(all.includes(`Normalisation: ${r.explanations.heatmap!.normalisation}`));
  assert.match(all, /Shown over the slide thumbnail/);
  const p1 = r.explanations.topPatches[0]!;
  assert.ok(all.includes(`1. x ${p1.x}, y ${p1.y}, ${p1.size} px`), 'top patch listed with level-0 coordinates');
  assert.ok(all.includes(r.explanations.genomicAttributionMethod));
  // Warnings, most important first.
  assert.ok(all.indexOf('WARNING: 2 genomic fields') < all.indexOf('INFO: Running on CPU'));
  // Inputs: imputed fields marked, hashes, parameters.
  assert.match(all, /21q arm CNV: imputed/);
  assert.match(all, /22q arm CNV: imputed/);
  assert.match(all, /2 imputed/);
  assert.ok(all.includes(r.provenance.genomics!.sourceSha256));
  assert.ok(all.includes(r.provenance.slide!.hash));
  assert.match(all, /tileSizePx 224/);
  // Provenance.
  assert.ok(all.includes(`${r.provenance.modelId} ${r.provenance.modelVersion}`));
  assert.ok(all.includes(r.provenance.modelSha256));
  assert.ok(all.includes(r.provenance.packageDigest));
  assert.ok(all.includes(`onnxruntime ${r.provenance.onnxruntimeVersion}, execution provider cpu`));
  assert.match(all, /pathology, genomics, clinical/);
  assert.ok(all.includes(`event 12, ${'ab'.repeat(32)}`), 'audit chain head');
  assert.match(all, /Intended use and limitations/);
  assert.match(all, /attention-based attributions, not causal importance/);

  keepPdf(pdf, 'report-pathology-evidence');
  const png = renderPagePng(pdf, 2, 'report-pathology-evidence-page2');
  assert.ok(fs.statSync(png).size > 10_000, `page image written: ${png}`);
  renderPagePng(pdf, 1, 'report-pathology-evidence-page1');
});

test('pathology not validated: no heatmap image, a sentence says why; genomics evidence still shown', async () => {
  const pdf = await renderReportPdf(inputFor(genomicsOnly));
  const pages = pdfPages(pdf);
  assertEveryPage(pages);
  const all = flat(pages.join('\n'));
  assert.equal(pdfImageCount(pdf), 0);
  assert.match(all, /The slide attention is not shown as evidence: The model package umeml-test-tiny is not validated for pathology/);
  assert.doesNotMatch(all, /Top patches/);
  assert.match(all, /CRITICAL: The model package umeml-test-tiny is not validated/);
  assert.ok(all.indexOf('CRITICAL:') < all.indexOf('WARNING:'), 'critical first');
  assert.match(all, /Modalities used genomics, clinical/);
});

test('signed layers, override reason, addenda and signature lines are printed; unsupported characters are reported', async () => {
  const signature = { signerName: 'Dr. P. Test', signerRole: 'pathologist', signedAt: '2026-11-20T09:15:00.000Z', sha256: 'cd'.repeat(32), verified: true };
  const pdf = await renderReportPdf(inputFor(genomicsOnly, {
    signoff: {
      diagnosis: {
        integratedDiagnosis: 'Astrocytoma, IDH-mutant, CNS WHO grade 3',
        histologicalClassification: 'Diffuse astrocytoma',
        whoGrade: '3',
        molecularInformation: 'IDH1 R132H mutant; ATRX lost; 1p/19q intact; Ki-67 ≥ 10 % 漢',
        comment: '',
      },
      aiAgreement: 'overridden',
      overrideReason: 'Mitoses counted on the full section.',
      signature,
    },
    addenda: [{ seq: 1, text: 'MGMT promoter methylated.', signature: { ...signature, signedAt: '2026-11-22T10:00:00.000Z', sha256: 'ef'.repeat(32), verified: false } }],
  }));
  const pages = pdfPages(pdf);
  assertEveryPage(pages);
  const all = flat(pages.join('\n'));
  assert.doesNotMatch(all, /NOT SIGNED/);
  assert.match(all, /SIGNED 2026-11-2\d/);
  assert.match(all, /Integrated diagnosis Astrocytoma, IDH-mutant, CNS WHO grade 3/);
  assert.match(all, /CNS WHO grade CNS WHO grade 3/);
  assert.match(all, /Ki-67 >= 10 % \?/);
  assert.match(all, /1 character\(s\) of the signed text cannot be drawn/);
  assert.match(all, /AI suggestion overridden/);
  assert.match(all, /Reason for override Mitoses counted on the full section\./);
  assert.ok(all.includes(`Signed by Dr. P. Test (pathologist) at`));
  assert.ok(all.includes(`Content sha256 ${'cd'.repeat(32)} (verified)`));
  assert.match(all, /Addendum 1 - 2026-11-22/);
  assert.match(all, /MGMT promoter methylated\./);
  assert.match(all, /VERIFICATION FAILED/);
});

test('no analysis and no cohort: the report says so instead of showing AI results', async () => {
  const base = inputFor(genomicsOnly);
  const pdf = await renderReportPdf({ ...base, analysis: null, cohort: null, noAnalysisReason: null, auditHead: null });
  const pages = pdfPages(pdf);
  pages.forEach((p, i) => {
    assert.ok(flat(p).includes(RUO_STATEMENT));
    assert.match(p, new RegExp(`page ${i + 1}/${pages.length}`));
  });
  const all = flat(pages.join('\n'));
  assert.match(all, /NOT SIGNED/);
  assert.match(all, /No AI analysis has finished for this case/);
  assert.doesNotMatch(all, /AI-SUGGESTED - research/);
  assert.match(all, /not recorded \(report made outside a Gliofuse database\)/);

  const noCohort = await renderReportPdf({ ...base, cohort: null, cohortNote: 'Model package x has no cohort/km_by_risk_group.json.' });
  const t = flat(pdfPages(noCohort).join('\n'));
  assert.match(t, /Model package x has no cohort\/km_by_risk_group.json/);
  assert.match(t, /Model S\(t\) at the survival-bin ends for this case's inputs \(a model output, not a prognosis\): 0-365 days: S = \d\.\d\d/);
});
