/**
 * Issue 12 §6: identifiers through file names. A slide and a profile named "Surname_MRN-4471-9923.*" used to appear
 * verbatim in the PDF, the JSON/FHIR audit export and result.json. Now the store, the outputs and the audit log carry
 * a pseudonymised label (pseudonym + sequence + sha256 prefix) and the original name and folder are readable only
 * through files.origin by roles that may see PHI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startTestApp, tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { Db } from '../../../src/main/store/db.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const NAME = 'Surname_MRN-4471-9923';
const leaks = (text: string) => text.includes('Surname') || text.includes('MRN-4471');

test('slides and profiles are stored, listed and audited under a label; the original is PHI (files.origin)', async () => {
  const app = await startTestApp();
  try {
    const folder = path.join(app.dir, 'Surname-scans');
    fs.mkdirSync(folder);
    const slideFile = path.join(folder, `${NAME}.svs`);
    fs.copyFileSync(sharedFile('wsi', 'CMU-1-Small-Region.svs'), slideFile);
    const p = await app.call('patients.create', { pseudonym: 'GLIO-0001', phi: {} });
    const c = await app.call('cases.create', { patientId: p.id, accession: 'S-1' });
    const slide = await app.call('slides.attach', { caseId: c.id, path: slideFile });
    assert.match(slide.fileName, /^GLIO-0001-S1-[0-9a-f]{6}$/);
    assert.equal(slide.fileName.slice(-6), slide.hash.slice(0, 6));
    const content = fs.readFileSync(sharedFile('tcga', 'all_dataset.csv'), 'utf8');
    const g = await app.call('genomics.import', { caseId: c.id, fileName: `${NAME}.csv`, content, rowId: 'TCGA-06-0174', modelId: 'umeml-gbmlgg-genomic-ref' });
    assert.match(g.sourceFileName, /^GLIO-0001-G1-[0-9a-f]{6}$/);
    const listed = await app.call('slides.list', { caseId: c.id });
    assert.ok(!leaks(JSON.stringify(listed)));
    for (const format of ['json', 'fhir'] as const) assert.ok(!leaks((await app.call('audit.export', { format })).content), `${format} export`);

    await app.login('paula', 'pathologist');
    await app.login('vera', 'viewer');
    const o = await app.call('files.origin', { kind: 'slide', id: slide.id }, 'paula');
    assert.equal(o.originalName, `${NAME}.svs`);
    assert.equal(o.originalPath, slideFile);
    assert.equal((await app.call('files.origin', { kind: 'genomic_profile', id: g.id }, 'paula')).originalName, `${NAME}.csv`);
    const denied = await app.raw('files.origin', { kind: 'slide', id: slide.id }, 'vera');
    assert.equal(denied.ok ? 'ok' : denied.error.code, 'FORBIDDEN');
    const read = await app.s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'read.files.origin'");
    assert.equal(read?.n, 2, 'each PHI read is audited');
  } finally {
    await app.close();
  }
});

test('analyze with a profile named after the patient: result.json, the PDF and the audit export carry the label only', () => {
  const dir = tempDir('gliofuse-labels-');
  const env = { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: path.join(dir, 'data') };
  const gf = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env, timeout: 300_000 });
  const db = ['--db', path.join(dir, 'gf.sqlite')];
  assert.equal(gf([...db, 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).status, 0);
  const profile = path.join(dir, `${NAME}.csv`);
  fs.copyFileSync(sharedFile('tcga', 'all_dataset.csv'), profile);
  const out = path.join(dir, 'out');
  const r = gf([...db, '--as', 'root', 'analyze', '--model', 'umeml-gbmlgg-genomic-ref', '--genomics', profile, '--row-id', 'TCGA-06-0174', '--patient', 'GLIO-0007', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const result = fs.readFileSync(path.join(out, 'result.json'), 'utf8');
  assert.ok(!leaks(result), 'result.json');
  assert.match(result, /"fileName": "GLIO-0007-G1-[0-9a-f]{6}"/);
  const pdf = spawnSync('pdftotext', [path.join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
  assert.equal(pdf.status, 0, pdf.stderr);
  assert.match(pdf.stdout, /GLIO-0007-G1-[0-9a-f]{6}/);
  assert.ok(!leaks(pdf.stdout), 'PDF text');
  for (const format of ['json', 'fhir']) {
    const ex = gf([...db, '--as', 'root', 'audit', 'export', '--format', format]);
    assert.equal(ex.status, 0, ex.stderr);
    assert.ok(!leaks(ex.stdout), `${format} audit export`);
  }
});

test('existing stores: migration 0031 adds the PHI table without touching earlier rows', async () => {
  const app = await startTestApp();
  try {
    const cols = await app.s.db.all<{ name: string }>('PRAGMA table_info(source_file_phi)');
    assert.deepEqual(cols.map((c) => c.name), ['entity_type', 'entity_id', 'original_name', 'original_path']);
    const ro = await Db.open(app.dbPath, { readonly: true });
    assert.equal((await ro.get<{ n: number }>('SELECT COUNT(*) AS n FROM source_file_phi'))?.n, 0);
    await ro.close();
  } finally {
    await app.close();
  }
});
