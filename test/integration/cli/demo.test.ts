/**
 * `npm run demo` as a user runs it: the CLI in a child process (node --import tsx src/main/cli/main.ts demo) with a
 * temporary HOME, TMPDIR and user data folder, so it never touches real data. The demo analyses a real TCGA glioma
 * ROI (1024×1024 px, 6 tissue tiles) and the same patient's real genomic row, then prints where the PDF is. Checked
 * for real: the PDF's text (RUO + "page i/N" on every page, pseudonymous ids, model provenance), result.json against
 * the model package and the input files' own hashes, the store and its audit chain, a re-run in the same folder
 * (re-uses patient/case/slide/profile, adds one audited analysis, features from the cache), and the failure paths
 * (missing data / encoder: one line on stderr, nothing written).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { tempDir } from '../../helpers/temp-services.ts';
import { REPO_ROOT, SHARED_DATA, sharedFile } from '../../helpers/shared-data.ts';
import { AnalysisResult } from '../../../src/shared/analysis-result.ts';
import { RUO_STATEMENT } from '../../../src/shared/ruo.ts';
import { Db } from '../../../src/main/store/db.ts';

const MAIN = path.join(REPO_ROOT, 'src', 'main', 'cli', 'main.ts');
const ENCODER = sharedFile('models', 'mobilenetv2-12-int8-with-features.onnx');
const SLIDE = sharedFile('wsi', 'tcga-glioma-roi', 'TCGA-06-0174_roi_pyramid.tif');
const PATIENT = 'TCGA-06-0174';
const ACCESSION = 'demo-TCGA-06-0174';
const PKG_DIR = path.join(REPO_ROOT, 'models', 'umeml-gbmlgg-genomic-ref');

interface Manifest {
  id: string;
  version: string;
  validatedModalities: string[];
  files: { path: string; sha256: string; role: string }[];
  tileEncoder: { id: string; sha256: string; inputSize: number; mppTarget: number; normalisation: unknown };
}
const manifest = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'manifest.json'), 'utf8')) as Manifest;
const ORT_VERSION = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Every file under a folder (relative paths); [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

function pdfPages(file: string): string[] {
  const r = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // pdftotext ends every page with a form feed.
  const pages = r.stdout.split('\f');
  if (pages.at(-1)?.trim() === '') pages.pop();
  return pages;
}

function pdfPageCount(file: string): number {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = /^Pages:\s+(\d+)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  return Number(m[1]);
}

describe('gliofuse demo (npm run demo)', () => {
  let root: string;
  let home: string;
  let tmp: string;
  let userData: string;
  let env: NodeJS.ProcessEnv;
  // Filled by the first run, used by the later tests.
  let folder = '';
  let pdf = '';
  let first: AnalysisResult | undefined;

  function demo(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const e: NodeJS.ProcessEnv = { ...env, ...extraEnv };
    for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
    // Exactly the package.json script: node --import tsx src/main/cli/main.ts demo [args].
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'demo', ...args], { cwd: REPO_ROOT, env: e, encoding: 'utf8', timeout: 240_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  function gf(args: string[]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  before(() => {
    root = tempDir('gliofuse-demo-test-');
    home = path.join(root, 'home');
    tmp = path.join(root, 'tmp');
    userData = path.join(root, 'user-data');
    for (const d of [home, tmp]) fs.mkdirSync(d);
    env = { ...process.env, HOME: home, TMPDIR: tmp, GLIOFUSE_DATA_DIR: userData, GLIOFUSE_ENCODER_PATH: ENCODER };
    // Nothing of the caller's set-up may leak in (a real database, account or config folder).
    for (const k of ['GLIOFUSE_DB', 'GLIOFUSE_USER', 'XDG_CONFIG_HOME', 'GLIOFUSE_RESOURCES_DIR']) delete env[k];
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('first run: exit 0, prints the PDF path; the PDF, result.json and the store say what they must', async () => {
    const r = demo([]);
    assert.equal(r.code, 0, r.err);
    const pdfLine = /^PDF report: (.+)$/m.exec(r.out);
    assert.ok(pdfLine, r.out);
    pdf = pdfLine[1] ?? '';
    const folderLine = /^Demo folder: (\S+) /m.exec(r.out);
    assert.ok(folderLine, r.out);
    folder = folderLine[1] ?? '';
    // The default folder is a new temp folder (under TMPDIR), and the PDF is inside it.
    assert.ok(path.isAbsolute(pdf) && fs.statSync(pdf).isFile(), pdf);
    assert.equal(path.dirname(folder), tmp);
    assert.match(path.basename(folder), /^gliofuse-demo-/);
    assert.equal(pdf, path.join(folder, 'result', 'report.pdf'));
    assert.ok(r.out.includes(RUO_STATEMENT), r.out);
    assert.ok(r.out.includes(`patient TCGA-06-0174) succeeded with umeml-gbmlgg-genomic-ref ${manifest.version}`), r.out);

    // result.json: complete, with provenance that matches the package and the inputs' own hashes.
    const result = AnalysisResult.parse(JSON.parse(fs.readFileSync(path.join(folder, 'result', 'result.json'), 'utf8')));
    first = result;
    const p = result.provenance;
    const modelFile = manifest.files.find((f) => f.role === 'model')?.path ?? 'umeml.onnx';
    assert.equal(p.modelId, manifest.id);
    assert.equal(p.modelVersion, manifest.version);
    assert.equal(p.modelSha256, sha256(path.join(PKG_DIR, modelFile)));
    assert.deepEqual(p.validatedModalities, manifest.validatedModalities);
    // The slide is given but this package is not validated for pathology: it is not used, and the result says so.
    assert.deepEqual(p.usedModalities, ['genomics', 'clinical']);
    assert.equal(p.onnxruntimeVersion, ORT_VERSION);
    const eps = p.preprocessing.executionProviders as { model: { provider: string }; tileEncoder: { provider: string } };
    assert.equal(p.executionProvider, eps.model.provider);
    assert.ok(['cpu', 'cuda', 'dml', 'coreml'].includes(p.executionProvider), p.executionProvider);
    // Issue 13: the package does not use the slide, so nothing is encoded; the demo asks for slide QC instead.
    assert.equal(p.tileEncoder, null);
    assert.equal(p.preprocessing.featureCache, null);
    assert.equal(p.preprocessing.normalisation, null);
    const qc = p.preprocessing.slideQc as { mpp: number; tileSize: number; minTissue: number; tiles: number; slideMpp: number; tissueFraction: number };
    assert.equal(qc.mpp, manifest.tileEncoder.mppTarget);
    assert.equal(qc.tileSize, manifest.tileEncoder.inputSize);
    assert.equal(qc.slideMpp, 0.5);
    assert.equal(qc.minTissue, 0.5);
    assert.ok(qc.tiles > 0, 'the ROI has tissue tiles');
    assert.ok(qc.tissueFraction >= 0.85, 'the all-tissue ROI is tissue (issue 13.3)');
    assert.deepEqual(p.preprocessing.genomics, { observed: 81, derivedAge: null, clinicalMasked: false });
    assert.equal(p.slide?.hash, sha256(SLIDE));
    assert.equal(p.genomics?.sourceSha256, sha256(path.join(folder, `${PATIENT}-genomics.csv`)));
    // The demo's inputs give exactly one warning: the unvalidated slide. All 81 genomic fields are observed.
    assert.deepEqual(result.warnings.map((w) => w.code), ['unvalidated_modality']);
    assert.match(result.warnings[0]?.message ?? '', /not validated for pathology/);
    assert.equal(result.explanations.heatmap, null);
    assert.equal(result.ruo, RUO_STATEMENT);
    // TCGA-06-0174 is a glioblastoma, IDH-wildtype (grade 4) in the shared labels; the reference model agrees.
    assert.deepEqual([result.grade.top, result.molecularClass.top], ['IV', 'GBM_IDHwt_G4']);

    // The PDF: RUO and "page i/N" on every page; pseudonymous ids; model id, version, sha256; no real-name fields.
    assert.equal(fs.readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
    const pages = pdfPages(pdf);
    assert.equal(pages.length, pdfPageCount(pdf));
    assert.ok(pages.length >= 2, `${pages.length} pages`);
    pages.forEach((text, i) => {
      assert.ok(text.includes(RUO_STATEMENT), `RUO statement on page ${i + 1}`);
      assert.match(text, new RegExp(`page ${i + 1}/${pages.length}\\s*$`), `footer on page ${i + 1}`);
      assert.match(text, /Patient TCGA-06-0174 · Case 1/, `header on page ${i + 1}`);
    });
    const all = pages.join('\n');
    assert.match(all, /Patient \(pseudonym\)\s+TCGA-06-0174/);
    assert.match(all, new RegExp(`Accession\\s+${ACCESSION}`));
    assert.match(all, new RegExp(`Model\\s+${manifest.id} ${manifest.version.replace(/\./g, '\\.')}`));
    assert.match(all, new RegExp(`Model file sha256\\s+${p.modelSha256}`));
    assert.match(all, new RegExp(`onnxruntime ${ORT_VERSION.replace(/\./g, '\\.')}, execution provider ${p.executionProvider}`));
    assert.match(all, /Validated modalities\s+genomics, clinical/);
    assert.match(all, /\(analysis 1\)/);

    // The store: the analysis and its report are recorded, every step audited under the pseudonym only.
    const db = await Db.open(path.join(folder, 'demo.sqlite'));
    try {
      const a = await db.all<{ id: number; state: string; model_id: string; model_version: string; n: number }>(
        'SELECT a.id, a.state, a.model_id, a.model_version, (SELECT COUNT(*) FROM predictions p WHERE p.analysis_id = a.id) AS n FROM analyses a');
      assert.deepEqual(a, [{ id: 1, state: 'succeeded', model_id: manifest.id, model_version: manifest.version, n: 1 }]);
      const rep = await db.all<{ analysis_id: number; sha256: string }>('SELECT analysis_id, sha256 FROM reports');
      assert.deepEqual(rep, [{ analysis_id: 1, sha256: sha256(pdf) }]);
      const ev = await db.all<{ action: string; patient_pseudonym: string | null; outcome: string }>('SELECT action, patient_pseudonym, outcome FROM audit_events ORDER BY seq');
      const acts = ev.map((e) => e.action);
      for (const x of ['user.setup_admin', 'patient.created', 'case.created', 'slide.attached', 'genomics.imported', 'analysis.requested', 'analysis.succeeded', 'report.exported']) {
        assert.ok(acts.includes(x), `${x} in ${acts.join(',')}`);
      }
      assert.ok(ev.every((e) => e.outcome === 'success'));
      assert.ok(ev.filter((e) => e.action !== 'user.setup_admin').every((e) => e.patient_pseudonym === PATIENT));
    } finally {
      await db.close();
    }
    const v = gf(['--db', path.join(folder, 'demo.sqlite'), '--as', 'demo', '--json', 'audit', 'verify']);
    assert.equal(v.code, 0, v.err);
    const st = JSON.parse(v.out) as { ok: boolean; count: number; firstBrokenSeq: number | null };
    assert.equal(st.ok, true);
    assert.equal(st.firstBrokenSeq, null);
    assert.ok(st.count >= 10, `${st.count} events`);

    // Nothing outside the demo folder: not the user data folder, not HOME's Gliofuse folder.
    assert.deepEqual(filesUnder(userData), []);
    assert.equal(fs.existsSync(path.join(home, '.config', 'Gliofuse')), false);
    assert.ok(filesUnder(path.join(folder, 'data', 'reports')).length === 1, 'the report service filed its copy in the demo folder');
  });

  test('a second run in the same folder re-uses patient, case, slide and profile, adds one audited analysis and says so', async () => {
    assert.ok(folder && first, 'needs the first run');
    const r = demo(['--out', folder, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { analysisId: number; caseId: number; patient: string; state: string; report: string; result: string; reusedCase: boolean; analysesOfCase: number; folder: string; warnings: string[] };
    assert.deepEqual(
      [j.analysisId, j.caseId, j.patient, j.state, j.reusedCase, j.analysesOfCase, j.folder, j.report, j.warnings],
      [2, 1, PATIENT, 'succeeded', true, 2, folder, pdf, ['unvalidated_modality']],
    );
    const result = AnalysisResult.parse(JSON.parse(fs.readFileSync(j.result, 'utf8')));
    // Same inputs, same model: the same answer; the slide's features come from the demo folder's cache.
    assert.deepEqual([result.grade, result.molecularClass, result.survival], [first.grade, first.molecularClass, first.survival]);
    assert.equal(result.provenance.preprocessing.featureCache, null, 'nothing encoded (issue 13)');
    assert.match(pdfPages(pdf).join('\n'), /\(analysis 2\)/);

    const db = await Db.open(path.join(folder, 'demo.sqlite'));
    try {
      const n = await db.get<Record<string, number>>(`SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM patients) AS patients,
        (SELECT COUNT(*) FROM cases) AS cases, (SELECT COUNT(*) FROM slides) AS slides, (SELECT COUNT(*) FROM genomic_profiles) AS profiles,
        (SELECT COUNT(*) FROM analyses WHERE state = 'succeeded') AS analyses, (SELECT COUNT(*) FROM reports) AS reports`);
      assert.deepEqual(n, { users: 1, patients: 1, cases: 1, slides: 1, profiles: 1, analyses: 2, reports: 2 });
      const last = await db.get<{ sha256: string }>('SELECT sha256 FROM reports WHERE analysis_id = 2');
      assert.equal(last?.sha256, sha256(pdf));
    } finally {
      await db.close();
    }
    const v = gf(['--db', path.join(folder, 'demo.sqlite'), '--as', 'demo', '--json', 'audit', 'verify']);
    assert.equal(v.code, 0, v.err);
    assert.equal((JSON.parse(v.out) as { ok: boolean }).ok, true);
    assert.deepEqual(filesUnder(userData), []);
    // No temp names left from the atomic writes.
    assert.deepEqual(filesUnder(folder).filter((f) => f.includes('.tmp-')), []);
  });

  test('missing shared data: exit 2, one line on stderr, no folder, store or PDF', () => {
    const before = fs.readdirSync(tmp).filter((f) => f.startsWith('gliofuse-demo-'));
    const r = demo([], { GLIOFUSE_SHARED_DATA: path.join(root, 'no-such-data') });
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.match(r.err, /^gliofuse: Demo data missing: .*no-such-data.* \(set GLIOFUSE_SHARED_DATA to the shared data folder\)\.\n$/);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('gliofuse-demo-')), before, 'no new temp folder');
  });

  test('encoder file given but missing: exit 2, one line naming it, nothing written', () => {
    const out = path.join(root, 'fail-encoder-path');
    const r = demo(['--out', out], { GLIOFUSE_ENCODER_PATH: path.join(root, 'missing.onnx') });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^gliofuse: The tile encoder file given \(GLIOFUSE_ENCODER_PATH or --encoder\) does not exist: .*missing\.onnx\.\n$/);
    assert.equal(fs.existsSync(out), false);
  });

  test('encoder not installed anywhere: exit 1, one line saying how to install it, nothing written', () => {
    // Shared data with the slides and tables but without models/ (symlinks in the temp folder; nothing is copied).
    const partial = path.join(root, 'shared-without-models');
    fs.mkdirSync(partial);
    for (const d of ['wsi', 'tcga']) fs.symlinkSync(path.join(SHARED_DATA, d), path.join(partial, d));
    const out = path.join(root, 'fail-no-encoder');
    const r = demo(['--out', out], { GLIOFUSE_SHARED_DATA: partial, GLIOFUSE_ENCODER_PATH: undefined });
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^gliofuse: The tile encoder mobilenetv2-12-int8-features is not installed; install it on the Models page .*"gliofuse encoder fetch" once .*\n$/);
    assert.equal(r.err.split('\n').length, 2, r.err);
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(filesUnder(userData), []);
    assert.equal(filesUnder(tmp).some((f) => f.endsWith('.pdf') && !f.startsWith(path.basename(folder))), false, 'no PDF outside the first run');
  });
});
