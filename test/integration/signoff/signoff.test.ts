/**
 * Sign-off rules through the real router and store: who may sign, password re-entry, the accept/override rule,
 * immutability after signing (service and database triggers), dated and audited addenda, case status, and
 * detection of content altered behind the app's back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { startTestApp, PASSWORD, type TestApp } from '../../helpers/temp-services.ts';
import { realFixture, type Fixture } from '../report/fixtures/real-result.ts';
import { seedCase, storeResult } from '../report/fixtures/seed.ts';
import { whoGradeOfLabel } from '../../../src/main/signoff/who-grade.ts';
import { canonicalJson } from '../../../src/main/audit/canonical.ts';
import type { LayeredDiagnosis } from '../../../src/shared/contract/review.ts';

let app: TestApp;
let fx: Fixture;
let root: string;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-signoff-'));
  fx = await realFixture(root);
  app = await startTestApp();
  await app.login('paula', 'pathologist');
  await app.login('petra', 'pathologist');
  await app.login('vic', 'viewer');
});
after(async () => {
  await app.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const aiGrade = () => whoGradeOfLabel(fx.result.grade.top)!;
function layers(grade: LayeredDiagnosis['whoGrade']): LayeredDiagnosis {
  return {
    integratedDiagnosis: 'Astrocytoma, IDH-mutant, CNS WHO grade ' + grade,
    histologicalClassification: 'Diffuse astrocytoma',
    whoGrade: grade,
    molecularInformation: 'IDH1 p.R132H mutant (IHC); 1p/19q intact (FISH); ATRX loss',
    comment: 'Résumé: ≥ 20 mitoses/10 HPF not seen.',
  };
}
const otherGrade = (g: string): LayeredDiagnosis['whoGrade'] => (g === '4' ? '2' : '4');

async function auditActions(caseId: number): Promise<{ action: string; outcome: string; reason: string | null }[]> {
  return app.s.db.all('SELECT action, outcome, reason FROM audit_events WHERE entity_type = ? AND entity_id = ? ORDER BY seq', ['case', String(caseId)]);
}

test('who grade labels: Roman, Arabic and G-prefixed labels map to CNS WHO grades; others give null', () => {
  assert.equal(whoGradeOfLabel('IV'), '4');
  assert.equal(whoGradeOfLabel('II'), '2');
  assert.equal(whoGradeOfLabel('G3'), '3');
  assert.equal(whoGradeOfLabel('grade 4'), '4');
  assert.equal(whoGradeOfLabel('CNS WHO grade 1'), '1');
  assert.equal(whoGradeOfLabel('GBM_IDHwt_G4'), null);
  assert.equal(whoGradeOfLabel('V'), null);
});

test('only pathologists sign: admin and viewer are refused by role (audited), a draft is pathologist-only too', async () => {
  const { caseId } = await seedCase(app, 'SO-ROLE');
  await storeResult(app, caseId, fx.result);
  const req = { caseId, password: PASSWORD, diagnosis: layers(aiGrade()), aiAgreement: 'accepted' as const };
  const asAdmin = await app.raw('review.sign', req, 'admin');
  assert.equal(asAdmin.ok, false);
  assert.equal(!asAdmin.ok && asAdmin.error.code, 'FORBIDDEN');
  const asViewer = await app.raw('review.sign', req, 'vic');
  assert.equal(!asViewer.ok && asViewer.error.code, 'FORBIDDEN');
  const draftViewer = await app.raw('review.saveDraft', { caseId, diagnosis: layers('') }, 'vic');
  assert.equal(!draftViewer.ok && draftViewer.error.code, 'FORBIDDEN');
  const addAdmin = await app.raw('review.addendum', { caseId, text: 'x', password: PASSWORD }, 'admin');
  assert.equal(!addAdmin.ok && addAdmin.error.code, 'FORBIDDEN');
  const denied = await app.s.db.all<{ entity_id: string }>("SELECT entity_id FROM audit_events WHERE action = 'access.denied' AND outcome = 'denied'");
  assert.ok(denied.filter((d) => d.entity_id === 'review.sign').length >= 2, 'both refusals audited');
  const r = await app.call('review.get', { caseId }, 'vic');
  assert.equal(r.diagnosis, null);
  assert.equal(r.caseStatus, 'new');
});

test('a wrong password is refused, audited, and leaves the case unsigned; the session stays signed in', async () => {
  const { caseId } = await seedCase(app, 'SO-PW');
  await storeResult(app, caseId, fx.result);
  const res = await app.raw('review.sign', { caseId, password: 'not the password', diagnosis: layers(aiGrade()), aiAgreement: 'accepted' }, 'paula');
  assert.equal(res.ok, false);
  assert.equal(!res.ok && res.error.code, 'FORBIDDEN', 'not UNAUTHENTICATED, which would end the session');
  assert.match(!res.ok ? res.error.message : '', /password is not correct; nothing was signed/);
  const reauth = await app.s.db.get<{ outcome: string }>("SELECT outcome FROM audit_events WHERE action = 'auth.reauthenticate' ORDER BY seq DESC LIMIT 1");
  assert.equal(reauth?.outcome, 'failure');
  const acts = await auditActions(caseId);
  assert.ok(acts.some((a) => a.action === 'diagnosis.sign' && a.outcome === 'denied'));
  const r = await app.call('review.get', { caseId }, 'paula');
  assert.equal(r.caseStatus, 'new');
  assert.equal(r.signature, null);
  // Reset the failure counter so later tests are not locked out.
  await app.call('review.saveDraft', { caseId, diagnosis: layers('') }, 'paula');
  await app.s.db.run("UPDATE users SET failed_logins = 0 WHERE username = 'paula'");
});

test('signing needs every layer, and accept/override consistent with the AI suggestion', async () => {
  const { caseId } = await seedCase(app, 'SO-RULES');
  const analysisId = await storeResult(app, caseId, fx.result);
  const sign = (over: Record<string, unknown>) => app.raw('review.sign', { caseId, password: PASSWORD, diagnosis: layers(aiGrade()), aiAgreement: 'accepted', ...over }, 'paula');

  const missing = await sign({ diagnosis: { ...layers(aiGrade()), molecularInformation: '' } });
  assert.equal(!missing.ok && missing.error.code, 'BAD_INPUT');
  assert.match(!missing.ok ? missing.error.message : '', /missing: molecular information/);

  const notUsed = await sign({ aiAgreement: 'not_used' });
  assert.match(!notUsed.ok ? notUsed.error.message : '', /accept it or override it/);

  const inconsistent = await sign({ diagnosis: layers(otherGrade(aiGrade())) });
  assert.equal(!inconsistent.ok && inconsistent.error.code, 'BAD_INPUT');
  assert.match(!inconsistent.ok ? inconsistent.error.message : '', /differs from the AI-suggested grade/);

  const noReason = await sign({ diagnosis: layers(otherGrade(aiGrade())), aiAgreement: 'overridden', overrideReason: '  ' });
  assert.match(!noReason.ok ? noReason.error.message : '', /Give a reason for overriding/);

  const r = await app.call('review.get', { caseId }, 'paula');
  assert.equal(r.caseStatus, 'new');
  assert.equal(r.aiSuggestion?.analysisId, analysisId);
  assert.equal(r.aiSuggestion?.whoGrade, aiGrade());
  assert.ok((await auditActions(caseId)).filter((a) => a.action === 'diagnosis.sign' && a.outcome === 'failure').length >= 4, 'each refusal audited');
});

test('without an AI result only "AI not used" can be signed', async () => {
  const { caseId } = await seedCase(app, 'SO-NOAI');
  const accepted = await app.raw('review.sign', { caseId, password: PASSWORD, diagnosis: layers('4'), aiAgreement: 'accepted' }, 'paula');
  assert.match(!accepted.ok ? accepted.error.message : '', /no AI result/);
  const r = await app.call('review.sign', { caseId, password: PASSWORD, diagnosis: layers('4'), aiAgreement: 'not_used' }, 'paula');
  assert.equal(r.caseStatus, 'signed');
  assert.equal(r.ai, null);
  assert.equal(r.diagnosis?.aiAgreement, 'not_used');
});

test('signing: override with reason -> case signed, signature over canonical content, immutable afterwards, addenda dated and audited', async () => {
  const { caseId } = await seedCase(app, 'SO-FULL');
  const analysisId = await storeResult(app, caseId, fx.result);
  const draft = await app.call('review.saveDraft', { caseId, diagnosis: { ...layers(''), molecularInformation: '' }, analysisId }, 'paula');
  assert.equal(draft.diagnosis?.state, 'draft');
  assert.equal(draft.diagnosis?.whoGrade, '');

  const grade = otherGrade(aiGrade());
  const signed = await app.call('review.sign', {
    caseId, password: PASSWORD, diagnosis: layers(grade), aiAgreement: 'overridden', overrideReason: 'Mitotic activity and necrosis support a different grade.', analysisId,
  }, 'paula');
  assert.equal(signed.caseStatus, 'signed');
  assert.equal(signed.diagnosis?.state, 'signed');
  assert.equal(signed.diagnosis?.whoGrade, grade);
  assert.equal(signed.diagnosis?.analysisId, analysisId);
  assert.equal(signed.signature?.verified, true);
  assert.match(signed.signature?.signedAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

  // The stored signature is sha256 of canonical JSON naming the case, the layers, the AI suggestion and the signer.
  const sig = await app.s.db.get<{ content_json: string; content_sha256: string; signer_name: string; kind: string }>('SELECT * FROM signatures WHERE id = ?', [signed.signature!.id]);
  assert.equal(sig?.kind, 'diagnosis');
  assert.equal(crypto.createHash('sha256').update(sig!.content_json).digest('hex'), sig!.content_sha256);
  const content = JSON.parse(sig!.content_json) as Record<string, any>;
  assert.equal(canonicalJson(content), sig!.content_json);
  assert.equal(content.case.patientPseudonym, 'SO-FULL');
  assert.equal(content.diagnosis.whoGrade, grade);
  assert.equal(content.aiAgreement, 'overridden');
  assert.equal(content.aiSuggestion.analysisId, analysisId);
  assert.equal(content.aiSuggestion.packageDigest, fx.result.provenance.packageDigest);
  assert.equal(content.signer.username, 'paula');
  assert.equal(signed.signature?.sha256, sig!.content_sha256);

  // Immutable: the service refuses, and so does the database.
  const again = await app.raw('review.sign', { caseId, password: PASSWORD, diagnosis: layers(grade), aiAgreement: 'overridden', overrideReason: 'second try' }, 'petra');
  assert.equal(!again.ok && again.error.code, 'CONFLICT');
  const redraft = await app.raw('review.saveDraft', { caseId, diagnosis: layers('1') }, 'paula');
  assert.equal(!redraft.ok && redraft.error.code, 'CONFLICT');
  const reopen = await app.raw('cases.setStatus', { id: caseId, status: 'ready_for_review' }, 'paula');
  assert.equal(!reopen.ok && reopen.error.code, 'CONFLICT');
  await assert.rejects(app.s.db.run("UPDATE diagnoses SET who_grade = '1' WHERE case_id = ?", [caseId]), /signed diagnosis is immutable/);
  await assert.rejects(app.s.db.run('DELETE FROM diagnoses WHERE case_id = ?', [caseId]), /signed diagnosis is immutable/);
  await assert.rejects(app.s.db.run("UPDATE signatures SET signer_name = 'x' WHERE case_id = ?", [caseId]), /signatures are immutable/);

  // Addenda: pathologist only, password re-entry, dated, sequential, audited, each signed.
  const viewerAdd = await app.raw('review.addendum', { caseId, text: 'viewer note', password: PASSWORD }, 'vic');
  assert.equal(!viewerAdd.ok && viewerAdd.error.code, 'FORBIDDEN');
  const badPw = await app.raw('review.addendum', { caseId, text: 'wrong pw', password: 'nope nope nope' }, 'petra');
  assert.equal(!badPw.ok && badPw.error.code, 'FORBIDDEN');
  await app.s.db.run("UPDATE users SET failed_logins = 0 WHERE username = 'petra'");
  const a1 = await app.call('review.addendum', { caseId, text: 'MGMT promoter methylation: methylated (pyrosequencing).', password: PASSWORD }, 'petra');
  const a2 = await app.call('review.addendum', { caseId, text: 'CDKN2A/B: no homozygous deletion.', password: PASSWORD }, 'paula');
  assert.deepEqual(a2.addenda.map((a) => a.seq), [1, 2]);
  assert.equal(a1.addenda[0]?.signature.signerName, 'petra (test)');
  assert.ok(a2.addenda.every((a) => a.signature.verified && /^\d{4}-\d{2}-\d{2}T/.test(a.createdAt)));
  const addContent = JSON.parse((await app.s.db.get<{ content_json: string }>("SELECT content_json FROM signatures WHERE kind = 'addendum' AND case_id = ? ORDER BY id LIMIT 1", [caseId]))!.content_json) as Record<string, unknown>;
  assert.equal(addContent.amendsSignatureSha256, signed.signature?.sha256, 'an addendum pins the diagnosis signature it amends');
  await assert.rejects(app.s.db.run("UPDATE addenda SET text = 'changed' WHERE case_id = ?", [caseId]), /addenda are immutable/);
  assert.equal((await app.call('review.get', { caseId }, 'vic')).diagnosis?.whoGrade, grade, 'the signed layers are unchanged by addenda');

  const acts = (await auditActions(caseId)).map((a) => `${a.action}:${a.outcome}`);
  for (const want of ['diagnosis.draft_saved:success', 'diagnosis.signed:success', 'case.status_changed:success', 'diagnosis.addendum_added:success', 'diagnosis.addendum:denied']) {
    assert.ok(acts.includes(want), `audited: ${want}`);
  }
  assert.equal(acts.filter((a) => a === 'diagnosis.addendum_added:success').length, 2);
  const chain = await app.s.audit.verify();
  assert.equal(chain.ok, true);
});

test('an addendum before signing is refused; a pathologist demoted after login can no longer sign', async () => {
  const { caseId } = await seedCase(app, 'SO-DEMOTE');
  await storeResult(app, caseId, fx.result);
  const early = await app.raw('review.addendum', { caseId, text: 'too early', password: PASSWORD }, 'paula');
  assert.equal(!early.ok && early.error.code, 'CONFLICT');

  await app.login('dora', 'pathologist');
  const dora = await app.s.db.get<{ id: number }>("SELECT id FROM users WHERE username = 'dora'");
  await app.call('users.update', { id: dora!.id, role: 'viewer' }, 'admin');
  // The session still says pathologist; re-authentication reads the account as it is now.
  const res = await app.raw('review.sign', { caseId, password: PASSWORD, diagnosis: layers(aiGrade()), aiAgreement: 'accepted' }, 'dora');
  assert.equal(!res.ok && res.error.code, 'FORBIDDEN');
  assert.match(!res.ok ? res.error.message : '', /role is now viewer/);
  assert.equal((await app.call('review.get', { caseId }, 'paula')).caseStatus, 'new');
});

test('content altered behind the app (triggers bypassed) shows as not verified', async () => {
  const { caseId } = await seedCase(app, 'SO-TAMPER');
  await storeResult(app, caseId, fx.result);
  await app.call('review.sign', { caseId, password: PASSWORD, diagnosis: layers(aiGrade()), aiAgreement: 'accepted' }, 'paula');
  await app.call('review.addendum', { caseId, text: 'original addendum', password: PASSWORD }, 'paula');
  assert.equal((await app.call('review.get', { caseId }, 'paula')).signature?.verified, true);
  await app.s.db.exec('DROP TRIGGER diagnoses_signed_no_update; DROP TRIGGER addenda_no_update;');
  try {
    await app.s.db.run("UPDATE diagnoses SET integrated_diagnosis = 'Something else' WHERE case_id = ?", [caseId]);
    await app.s.db.run("UPDATE addenda SET text = 'rewritten' WHERE case_id = ?", [caseId]);
  } finally {
    await app.s.db.exec(`CREATE TRIGGER diagnoses_signed_no_update BEFORE UPDATE ON diagnoses WHEN OLD.state = 'signed'
      BEGIN SELECT RAISE(ABORT, 'a signed diagnosis is immutable; add an addendum'); END;
      CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda BEGIN SELECT RAISE(ABORT, 'addenda are immutable; add another addendum'); END;`);
  }
  const r = await app.call('review.get', { caseId }, 'paula');
  assert.equal(r.signature?.verified, false);
  assert.equal(r.addenda[0]?.signature.verified, false);
});
