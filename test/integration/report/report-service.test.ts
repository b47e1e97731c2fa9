/**
 * Report export through the router with a real store: the PDF is built from the stored result_json and the
 * sign-off, never prints PHI, is audited, its sha256 is stored and re-checked on download; the cohort curves are
 * read from the verified model package that produced the result, and not from another version. Also the CLI.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startTestApp, PASSWORD, type TestApp } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { realFixture, SLIDE_FILE, type Fixture } from './fixtures/real-result.ts';
import { PHI, seedCase, storeResult } from './fixtures/seed.ts';
import { pdfImageCount, pdfPages, renderPagePng, keepPdf } from './fixtures/pdf-tools.ts';
import { rewriteManifest } from '../inference/fixtures/test-package.ts';
import { whoGradeOfLabel } from '../../../src/main/signoff/who-grade.ts';
import { reviewHandlers } from '../../../src/main/report/handlers.ts';
import { RUO_STATEMENT } from '../../../src/shared/ruo.ts';

let app: TestApp;
let fx: Fixture;
let root: string;

const flat = (s: string) => s.replace(/\s+/g, ' ');
const textOf = (b64: string) => flat(pdfPages(Buffer.from(b64, 'base64')).join('\n'));

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-report-svc-'));
  fx = await realFixture(root, { pathologyValidated: true });
  app = await startTestApp();
  await app.login('paula', 'pathologist');
  await app.login('vic', 'viewer');
  // Install the package that produced the fixture result, as a user would import it.
  await app.s.models.import(fx.packageDir);
});
after(async () => {
  await app.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('models.cohort serves the verified package\'s KM curves; an unknown package says why', async () => {
  const c = await app.call('models.cohort', { id: fx.result.provenance.modelId }, 'vic');
  assert.equal(c.available, true);
  assert.equal(c.packageDigest, fx.result.provenance.packageDigest);
  assert.deepEqual(c.cohort?.curves.outOfFold?.groups.map((g) => g.name), ['low', 'intermediate', 'high']);
  const none = await app.call('models.cohort', { id: 'no-such-model' }, 'vic');
  assert.equal(none.available, false);
  assert.match(none.reason ?? '', /No model package "no-such-model"/);
});

test('export of a signed case: layers, addenda, AI block with heatmap, no PHI; sha256 stored, file kept, audited; download re-checks it', async () => {
  const { caseId } = await seedCase(app, 'RS-0001', 'paula');
  const analysisId = await storeResult(app, caseId, fx.result, { slide: { fileName: SLIDE_FILE, width: fx.slide.width, height: fx.slide.height, path: sharedFile('wsi', SLIDE_FILE) } });
  const grade = whoGradeOfLabel(fx.result.grade.top)!;
  await app.call('review.sign', {
    caseId, password: PASSWORD, aiAgreement: 'accepted', analysisId,
    diagnosis: { integratedDiagnosis: `Diffuse glioma, CNS WHO grade ${grade}`, histologicalClassification: 'Diffuse glioma', whoGrade: grade, molecularInformation: 'IDH wild-type (sequencing); EGFR amplified' },
  }, 'paula');
  await app.call('review.addendum', { caseId, text: 'MGMT promoter methylation: unmethylated.', password: PASSWORD }, 'paula');

  const before = (await app.s.audit.head()).seq;
  const exp = await app.call('report.export', { caseId }, 'vic');
  const pdf = Buffer.from(exp.pdfBase64, 'base64');
  assert.equal(exp.report.sha256, crypto.createHash('sha256').update(pdf).digest('hex'));
  assert.equal(exp.report.bytes, pdf.length);
  assert.equal(exp.report.signed, true);
  assert.equal(exp.report.addendaCount, 1);
  assert.equal(exp.report.analysisId, analysisId);
  assert.equal(exp.report.createdBy, 'vic (test)');
  assert.ok(exp.report.storedPath && fs.readFileSync(exp.report.storedPath).equals(pdf), 'the exact bytes are kept under the data folder');
  assert.ok(exp.report.storedPath.startsWith(path.join(app.dir, 'data', 'reports')));

  const pages = pdfPages(pdf);
  pages.forEach((p, i) => {
    assert.ok(flat(p).includes(RUO_STATEMENT), `RUO on page ${i + 1}`);
    assert.match(p, new RegExp(`page ${i + 1}/${pages.length}\\b`));
  });
  const all = flat(pages.join('\n'));
  assert.doesNotMatch(all, /NOT SIGNED/);
  assert.match(all, new RegExp(`Integrated diagnosis Diffuse glioma, CNS WHO grade ${grade}`));
  assert.match(all, /Use of the AI suggestion AI suggestion accepted/);
  assert.match(all, /Signed by paula \(test\) \(pathologist\)/);
  assert.match(all, /\(verified\)/);
  assert.match(all, /Addendum 1 - \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  assert.match(all, /MGMT promoter methylation: unmethylated\./);
  assert.match(all, /Patient \(pseudonym\) RS-0001/);
  assert.match(all, /Specimen left frontal lobe resection/);
  assert.match(all, /Cohort curves: TEST FIXTURE/, 'KM curves from the installed package that produced the result');
  assert.match(all, /Quality flags The file states no resolution; 0.5 µm\/px was assumed\./);
  assert.match(all, /openslide.objective-power 20/);
  assert.ok(all.includes(`Audit chain head event ${before},`), 'the audit head at export time');
  assert.equal(pdfImageCount(pdf), 1, 'the heatmap thumbnail');
  assert.match(all, /Shown over the slide thumbnail/, 'the slide engine (OpenSlide worker) rendered the thumbnail');
  // No PHI anywhere: not in the text, not in the document info, not in the raw bytes.
  for (const phi of [PHI.mrn, PHI.fullName, '1961', 'Quimbyfeather']) {
    assert.ok(!all.includes(phi), `PHI "${phi}" not in the text`);
    assert.ok(!pdf.includes(Buffer.from(phi)), `PHI "${phi}" not in the bytes`);
  }

  const ev = await app.s.db.get<{ after_json: string; user_name: string; patient_pseudonym: string }>("SELECT * FROM audit_events WHERE action = 'report.exported' ORDER BY seq DESC LIMIT 1");
  const after = JSON.parse(ev!.after_json) as { sha256: string; reportId: number; signed: boolean };
  assert.equal(after.sha256, exp.report.sha256);
  assert.equal(after.reportId, exp.report.id);
  assert.equal(after.signed, true);
  assert.equal(ev!.patient_pseudonym, 'RS-0001');

  const list = await app.call('report.list', { caseId }, 'vic');
  assert.deepEqual(list.reports.map((r) => r.id), [exp.report.id]);
  const dl = await app.call('report.download', { reportId: exp.report.id }, 'vic');
  assert.equal(dl.pdfBase64, exp.pdfBase64);

  // A changed file is refused, and the refusal audited.
  fs.appendFileSync(exp.report.storedPath, '%tampered\n');
  const bad = await app.raw('report.download', { reportId: exp.report.id }, 'vic');
  assert.equal(!bad.ok && bad.error.code, 'INTEGRITY');
  const fail = await app.s.db.get<{ outcome: string }>("SELECT outcome FROM audit_events WHERE action = 'report.downloaded' ORDER BY seq DESC LIMIT 1");
  assert.equal(fail?.outcome, 'failure');
  assert.equal((await app.s.audit.verify()).ok, true);

  keepPdf(pdf, 'report-signed-from-store');
  renderPagePng(pdf, 1, 'report-signed-from-store-page1');
});

test('export of an unsigned case with a draft: NOT SIGNED, the draft is not printed; no analysis -> says so', async () => {
  const { caseId } = await seedCase(app, 'RS-0002', 'paula');
  await storeResult(app, caseId, fx.result);
  await app.call('review.saveDraft', { caseId, diagnosis: { integratedDiagnosis: 'DRAFT-TEXT-NOT-FOR-PRINT', histologicalClassification: '', whoGrade: '', molecularInformation: '' } }, 'paula');
  const t = textOf((await app.call('report.export', { caseId }, 'paula')).pdfBase64);
  assert.match(t, /NOT SIGNED/);
  assert.match(t, /has started a diagnosis but has not signed it/);
  assert.doesNotMatch(t, /DRAFT-TEXT-NOT-FOR-PRINT/);

  const { caseId: empty } = await seedCase(app, 'RS-0003', 'paula');
  const t2 = textOf((await app.call('report.export', { caseId: empty }, 'paula')).pdfBase64);
  assert.match(t2, /No AI analysis has finished for this case/);
  const wrong = await app.raw('report.export', { caseId: empty, analysisId: 999 }, 'paula');
  assert.equal(!wrong.ok && wrong.error.code, 'NOT_FOUND');
});

test('cohort curves of a different installed package version are not drawn next to the result', async () => {
  const { caseId } = await seedCase(app, 'RS-0004', 'paula');
  await storeResult(app, caseId, fx.result);
  const copy = path.join(root, 'bumped', path.basename(fx.packageDir));
  fs.cpSync(fx.packageDir, copy, { recursive: true });
  rewriteManifest(copy, (m) => { m.version = '0.0.2'; });
  await app.s.models.import(copy, { replace: true });
  try {
    const t = textOf((await app.call('report.export', { caseId }, 'paula')).pdfBase64);
    assert.match(t, /version 0\.0\.2\) is not the one that produced this result/);
    assert.doesNotMatch(t, /Cohort curves:/);
  } finally {
    await app.s.models.import(fx.packageDir, { replace: true });
  }
});

test('a slide thumbnail provider puts the heatmap over the slide', async () => {
  const { caseId } = await seedCase(app, 'RS-0005', 'paula');
  await storeResult(app, caseId, fx.result, { slide: { fileName: SLIDE_FILE, width: fx.slide.width, height: fx.slide.height, path: sharedFile('wsi', SLIDE_FILE) } });
  const seen: string[] = [];
  const handlers = reviewHandlers({
    db: app.s.db, audit: app.s.audit, users: app.s.users, patients: app.s.patients, models: app.s.models, appVersion: '0.0.0-test', dataDir: path.join(app.dir, 'data'),
    slideThumbnail: async (s) => { seen.push(s.path); return fx.thumbnail; },
  });
  const actor = await app.s.users.actorByUsername('paula');
  const session = app.s.sessions.get('paula');
  const out = await handlers['report.export']({ caseId }, { actor, session, sessions: app.s.sessions, call: { transport: 'test', sessionId: 'paula', senderOk: true } });
  assert.deepEqual(seen, [sharedFile('wsi', SLIDE_FILE)]);
  const t = textOf(out.pdfBase64);
  assert.match(t, /Shown over the slide thumbnail/);
});

test('CLI: gliofuse report CASE_ID --out F.pdf writes the same report; bad input exits 2, a missing case 1', async () => {
  // The database is prepared in-process (each CLI start costs seconds from sources); only `report` is spawned.
  const cliApp = await startTestApp();
  const { caseId } = await seedCase(cliApp, 'CLI-1');
  const dbPath = cliApp.dbPath;
  await cliApp.s.close();
  const dir = cliApp.dir;
  const gf = (args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'gliofuse.js'), '--db', dbPath, '--as', 'admin', ...args], { encoding: 'utf8', env: { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: path.join(dir, 'data') } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  try {
    const out = path.join(dir, 'r.pdf');
    const r = gf(['--json', 'report', String(caseId), '--out', out]);
    assert.equal(r.code, 0, r.err);
    const meta = JSON.parse(r.out) as { sha256: string; out: string; signed: boolean };
    const pdf = fs.readFileSync(out);
    assert.equal(meta.sha256, crypto.createHash('sha256').update(pdf).digest('hex'));
    assert.equal(meta.signed, false);
    const t = flat(pdfPages(pdf).join('\n'));
    assert.match(t, /NOT SIGNED/);
    assert.match(t, /page 1\/1/);
    assert.ok(!t.includes(PHI.mrn) && !t.includes(PHI.fullName));

    const badId = gf(['report', 'abc', '--out', out]);
    assert.equal(badId.code, 2);
    assert.match(badId.err, /^gliofuse: CASE_ID must be a positive whole number/);
    assert.equal(badId.err.trim().split('\n').length, 1);
    const missing = gf(['report', '999', '--out', out]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No case with id 999/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
