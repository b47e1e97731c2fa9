/**
 * The WHO CNS5 view of a case through the real router and store: criteria from the stored genomic profile and the
 * pathologist's histology findings, the disagreement with the AI, the proposal, who may save findings, the audit
 * of saves and reads, and the sign-off audit recording whether the proposal was accepted as proposed or edited.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, PASSWORD, type TestApp } from '../../helpers/temp-services.ts';
import { seedCase, storeResult } from '../report/fixtures/seed.ts';
import { AnalysisResult } from '../../../src/shared/analysis-result.ts';
import { RUO_STATEMENT } from '../../../src/shared/ruo.ts';
import { pdfPages } from '../report/fixtures/pdf-tools.ts';

let app: TestApp;
before(async () => {
  app = await startTestApp();
  await app.login('paula', 'pathologist');
  await app.login('vic', 'viewer');
});
after(async () => app.close());

/** A stored AI result whose top class is GBM_IDHwt_G4 and whose grade head says III (histological, TCGA). */
function aiResult(): AnalysisResult {
  const probs = (labels: string[], top: number) => labels.map((l, i) => ({ label: l, display: l.startsWith('GBM') ? 'Glioblastoma, IDH-wildtype, CNS WHO grade 4' : l, p: i === top ? 0.7 : 0.3 / (labels.length - 1) }));
  return AnalysisResult.parse({
    grade: { probs: probs(['II', 'III', 'IV'], 1), top: 'III' },
    molecularClass: { probs: probs(['GBM_IDHwt_G4', 'A_IDHmut_G3'], 0), top: 'GBM_IDHwt_G4' },
    survival: { binEdgesDays: [0, 365, null], hazards: [0.2, 0.3], curve: [0.8, 0.56], risk: 0.4, riskGroup: 'high', riskGroupCutoffs: [0], cutoffSource: 'test' },
    modalityContributions: { pathology: 0, genomics: 1 },
    explanations: { heatmap: null, topPatches: [], genomicAttributions: [], genomicAttributionMethod: 'test', pathologyIsEvidence: false },
    warnings: [],
    provenance: {
      modelId: 'umeml-test', modelVersion: '1.0.0', modelSha256: 'a'.repeat(64), packageDigest: 'b'.repeat(64), validatedModalities: ['genomics'], usedModalities: ['genomics'],
      executionProvider: 'cpu', onnxruntimeVersion: '1', tileEncoder: null, preprocessing: {}, slide: null, genomics: { sourceSha256: 'c'.repeat(64), fileName: 'p.csv' }, appVersion: '0', createdAt: new Date().toISOString(),
    },
    ruo: RUO_STATEMENT,
  });
}

async function addProfile(caseId: number, values: Record<string, number | null>): Promise<number> {
  const user = await app.s.db.get<{ id: number }>('SELECT id FROM users ORDER BY id LIMIT 1');
  const r = await app.s.db.run(
    `INSERT INTO genomic_profiles (case_id, source_file_name, source_sha256, schema_id, values_json, validation_report_json, added_by, added_at) VALUES (?, 'p.csv', ?, 'umeml-test', ?, '{}', ?, ?)`,
    [caseId, 'c'.repeat(64), JSON.stringify({ values, vector: [], mask: [] }), user!.id, new Date().toISOString()]);
  return r.lastID;
}

const IDHWT_EGFR = { idh_mutation: 0, codeletion_1p19q: 0, cnv_egfr: 2, cnv_cdkn2a: 0, cnv_cdkn2b: 0, arm_7p: 0, arm_7q: 0, arm_10p: 0, arm_10q: 0, age_at_diagnosis: 58 };

test('IDH-wildtype + EGFR amplification with histology of grade 3: Glioblastoma, IDH-wildtype, CNS WHO grade 4; AI grade disagreement named', async () => {
  const { caseId } = await seedCase(app, 'WHO-1');
  const profileId = await addProfile(caseId, IDHWT_EGFR);
  const analysisId = await storeResult(app, caseId, aiResult());

  const v0 = await app.call('who.case', { caseId }, 'vic');
  assert.equal(v0.analysisId, analysisId);
  assert.equal(v0.genomicProfileId, profileId);
  assert.equal(v0.criteria?.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.deepEqual(v0.disagreements.map((d) => d.code), ['ai-class-vs-ai-grade', 'ai-grade-vs-criteria-grade']);
  assert.match(v0.disagreements[1]!.message, /AI histological grade 3 \(TCGA, pre-2021\) vs WHO CNS5 criteria CNS WHO grade 4 \(EGFR amplification\)/);
  assert.deepEqual(v0.proposal, { integratedDiagnosis: 'Glioblastoma, IDH-wildtype, CNS WHO grade 4', whoGrade: '4', molecularInformation: 'IDH: wild-type; 1p/19q: not codeleted; CDKN2A/B: no homozygous deletion; EGFR: amplified; +7/−10: absent' });

  // Only a pathologist saves histology findings.
  const denied = await app.raw('who.saveHistology', { caseId, histology: { necrosis: false, microvascularProliferation: false, mitoticActivityElevated: true } }, 'vic');
  assert.equal(denied.ok, false);
  assert.equal(!denied.ok && denied.error.code, 'FORBIDDEN');
  const bad = await app.raw('who.saveHistology', { caseId, histology: { necrosis: 'yes' } }, 'paula');
  assert.equal(!bad.ok && bad.error.code, 'BAD_INPUT');

  const v1 = await app.call('who.saveHistology', { caseId, histology: { necrosis: false, microvascularProliferation: false, mitoticActivityElevated: true } }, 'paula');
  assert.equal(v1.criteria?.histologicalFeaturesGrade, '3');
  assert.equal(v1.criteria?.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.equal(v1.histologyUpdatedBy, 'paula (test)');
  assert.deepEqual((await app.call('who.case', { caseId }, 'vic')).histology, { necrosis: false, microvascularProliferation: false, mitoticActivityElevated: true });

  const events = await app.s.db.all<{ action: string; after_json: string | null; user_name: string | null }>(`SELECT action, after_json, user_name FROM audit_events WHERE action IN ('histology.findings_saved', 'read.who.case') ORDER BY seq`);
  assert.ok(events.filter((e) => e.action === 'read.who.case').length >= 2, 'reads of a case\'s criteria are audited');
  const saved = events.filter((e) => e.action === 'histology.findings_saved');
  assert.equal(saved.length, 1);
  assert.match(saved[0]!.after_json!, /"integratedDiagnosis":"Glioblastoma, IDH-wildtype, CNS WHO grade 4"/);

  // The PDF: the disagreement at the top (page 1, before the diagnosis), the criteria block outside the AI frame,
  // the AI grade worded as the histological grade.
  const { pdfBase64 } = await app.call('report.export', { caseId }, 'vic');
  const pages = pdfPages(Buffer.from(pdfBase64, 'base64'), false).map((p) => p.replace(/\s+/g, ' '));
  const all = pages.join(' ');
  const top = pages[0]!;
  assert.ok(top.indexOf('DISAGREEMENT: AI class') >= 0 && top.indexOf('DISAGREEMENT') < top.indexOf('Diagnosis (WHO CNS5 layered report)'), top.slice(0, 1500));
  assert.match(all, /AI histological grade 3 \(TCGA, pre-2021\) vs WHO CNS5 criteria CNS WHO grade 4 \(EGFR amplification\)/);
  assert.match(all, /WHO CNS5 molecular criteria \(rule-based, not AI\)/);
  const block = all.slice(all.indexOf('WHO CNS5 molecular criteria (rule-based, not AI)'), all.indexOf('AI-SUGGESTED - research model output'));
  assert.match(block, /Glioblastoma, IDH-wildtype, CNS WHO grade 4/);
  assert.match(block, /EGFR amplification \(molecular glioblastoma\) — cnv_egfr GISTIC 2 \((≥|>=) 2 \(amplification\); cIMPACT-NOW update 3\)/);
  assert.match(all, /features of grade 3/);
  assert.match(all, /Top: Histological grade 3 \(TCGA, pre-2021\)/);
});

test('sign-off audit records whether the rules\' proposal was accepted as proposed or edited', async () => {
  const sign = async (pseudonym: string, edit: boolean) => {
    const { caseId } = await seedCase(app, pseudonym);
    await addProfile(caseId, IDHWT_EGFR);
    await storeResult(app, caseId, aiResult());
    const { proposal } = await app.call('who.case', { caseId }, 'paula');
    await app.call('review.sign', {
      caseId, password: PASSWORD, aiAgreement: 'overridden', overrideReason: 'molecular criteria upgrade the histological grade',
      diagnosis: { integratedDiagnosis: proposal!.integratedDiagnosis, histologicalClassification: 'Diffuse astrocytic glioma', whoGrade: '4', molecularInformation: edit ? `${proposal!.molecularInformation}; MGMT promoter methylated` : proposal!.molecularInformation, comment: '' },
    }, 'paula');
    const ev = await app.s.db.get<{ after_json: string }>(`SELECT after_json FROM audit_events WHERE action = 'diagnosis.signed' AND entity_id = ?`, [String(caseId)]);
    return JSON.parse(ev!.after_json) as { whoCns5Proposal: { outcome: string; proposed: { integratedDiagnosis: string } | null } };
  };
  const accepted = await sign('WHO-2', false);
  assert.equal(accepted.whoCns5Proposal.outcome, 'accepted_as_proposed');
  assert.equal(accepted.whoCns5Proposal.proposed?.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.equal((await sign('WHO-3', true)).whoCns5Proposal.outcome, 'edited');
});

test('no genomic profile: no criteria, a reason, nothing guessed; signed cases refuse new findings', async () => {
  const { caseId } = await seedCase(app, 'WHO-4');
  const v = await app.call('who.case', { caseId }, 'vic');
  assert.equal(v.criteria, null);
  assert.match(v.unavailableReason!, /no genomic profile/);
  assert.deepEqual(v.disagreements, []);
  assert.equal(v.proposal, null);
  const signedCase = await app.s.db.get<{ case_id: number }>(`SELECT case_id FROM diagnoses WHERE state = 'signed' LIMIT 1`);
  const r = await app.raw('who.saveHistology', { caseId: signedCase!.case_id, histology: { necrosis: true, microvascularProliferation: null, mitoticActivityElevated: null } }, 'paula');
  assert.equal(!r.ok && r.error.code, 'CONFLICT');
});

test('clinical reference risk beside the AI: computed from the values the analysis used, only for the very same package', async () => {
  const pkg = await app.s.models.get('umeml-gbmlgg-genomic-ref');
  const { caseId } = await seedCase(app, 'WHO-5');
  await addProfile(caseId, IDHWT_EGFR);
  const base = aiResult();
  const attr = (featureId: string, value: number | null) => ({ featureId, display: featureId, value, imputed: value === null, attribution: 0 });
  const result = AnalysisResult.parse({
    ...base,
    provenance: { ...base.provenance, modelId: pkg.id, modelVersion: pkg.manifest.version, packageDigest: pkg.digest },
    explanations: { ...base.explanations, genomicAttributions: [attr('idh_mutation', 0), attr('codeletion_1p19q', 0), attr('age_at_diagnosis', 64)] },
  });
  await storeResult(app, caseId, result);
  const v = await app.call('who.case', { caseId }, 'vic');
  const c = v.clinicalReference!;
  assert.equal(c.modelId, 'cox-idh-1p19q-age');
  assert.equal(c.riskGroup, 'high', 'IDH-wildtype at 64 years is in the high tertile of the training cohort');
  assert.ok(c.risk !== null && Number.isFinite(c.risk));
  assert.equal(c.aiRiskGroup, 'high');
  assert.match(c.addedValueLine, /c-index/);
  assert.ok(c.cIndexMean > 0.7 && c.cIndexMean < 0.9);

  // Age imputed: the risk is withheld and the field named, never guessed.
  const { caseId: c2 } = await seedCase(app, 'WHO-6');
  await storeResult(app, c2, AnalysisResult.parse({ ...result, explanations: { ...result.explanations, genomicAttributions: [attr('idh_mutation', 0), attr('codeletion_1p19q', 0), attr('age_at_diagnosis', null)] } }));
  const v2 = await app.call('who.case', { caseId: c2 }, 'vic');
  assert.equal(v2.clinicalReference?.riskGroup, null);
  assert.deepEqual(v2.clinicalReference?.missing, ['age_at_diagnosis']);

  // A result from another build of the package: no figure, a reason.
  const { caseId: c3 } = await seedCase(app, 'WHO-7');
  await storeResult(app, c3, AnalysisResult.parse({ ...result, provenance: { ...result.provenance, packageDigest: 'd'.repeat(64) } }));
  const v3 = await app.call('who.case', { caseId: c3 }, 'vic');
  assert.equal(v3.clinicalReference, null);
  assert.match(v3.clinicalReferenceNote!, /not the one that produced this result/);

  // And in the PDF, beside the criteria (not inside the AI frame).
  const { pdfBase64 } = await app.call('report.export', { caseId }, 'vic');
  const all = pdfPages(Buffer.from(pdfBase64, 'base64'), false).join(' ').replace(/\s+/g, ' ');
  assert.match(all, /Clinical reference risk \(statistical model, not AI\)/);
  assert.match(all, /Cox: IDH \+ 1p\/19q \+ age/);
  assert.ok(all.indexOf('Clinical reference risk (statistical model') < all.indexOf('AI-SUGGESTED - research model output'));
});

test('molecular findings entered with the histology (TERT, ATRX, H3 K27M, …) reach the rules; omitted ones keep their stored values', async () => {
  const { caseId } = await seedCase(app, 'WHO-8');
  // IDH-wildtype without EGFR amplification or +7/−10: NOS until TERT is known.
  await addProfile(caseId, { ...IDHWT_EGFR, cnv_egfr: 0 });
  const none = { tertPromoterMutant: null, atrxLoss: null, tp53Mutant: null, h3K27M: null, mgmtPromoterMethylated: null };
  const h = { necrosis: false, microvascularProliferation: false, mitoticActivityElevated: true };
  const v0 = await app.call('who.saveHistology', { caseId, histology: h, markers: none }, 'paula');
  assert.equal(v0.criteria?.diagnosis, 'Diffuse glioma, IDH-wildtype, NOS');
  assert.deepEqual(v0.criteria?.missing.map((m) => m.field), ['tert_promoter']);
  const v1 = await app.call('who.saveHistology', { caseId, histology: h, markers: { ...none, tertPromoterMutant: true, mgmtPromoterMethylated: false } }, 'paula');
  assert.equal(v1.criteria?.integratedDiagnosis, 'Glioblastoma, IDH-wildtype, CNS WHO grade 4');
  assert.ok(v1.criteria?.criteria.some((c) => c.id === 'gbm.tert' && c.field === 'tert_promoter'));
  assert.match(v1.criteria!.molecularInformation, /TERT promoter: mutant; MGMT promoter: unmethylated/);
  // Histology saved without markers keeps them.
  const v2 = await app.call('who.saveHistology', { caseId, histology: { ...h, necrosis: true } }, 'paula');
  assert.equal(v2.markers.tertPromoterMutant, true);
  // H3 K27M takes the tumour out of the adult-type rules.
  const v3 = await app.call('who.saveHistology', { caseId, histology: h, markers: { ...none, tertPromoterMutant: true, h3K27M: true } }, 'paula');
  assert.equal(v3.criteria?.status, 'NOS');
  assert.match(v3.criteria!.reason!, /H3 K27M/);
  const ev = await app.s.db.get<{ after_json: string }>(`SELECT after_json FROM audit_events WHERE action = 'histology.findings_saved' AND entity_id = ? ORDER BY seq DESC LIMIT 1`, [String(caseId)]);
  assert.match(ev!.after_json, /"h3K27M":true/);
});
