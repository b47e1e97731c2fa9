/**
 * Issue 12 §2: a failed `analyze` leaves nothing behind. Before, a bad slide or genomic file exited 2 but left a new
 * patient and an empty case (one more on every retry), and a readable slide with nothing to analyse was stored
 * before the refusal. Each case below runs the real CLI twice and counts every row it could have written.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { Db } from '../../../src/main/store/db.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const REF = 'umeml-gbmlgg-genomic-ref';
const ALL_DATASET = sharedFile('tcga', 'all_dataset.csv');
const SMALL = sharedFile('wsi', 'CMU-1-Small-Region.svs');
const UNOPENABLE = sharedFile('wsi', 'openslide-python-unopenable.tiff');

describe('a failed analyze changes nothing but the audit record', () => {
  let dir: string;
  let dbFile: string;
  let env: NodeJS.ProcessEnv;
  const gf = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env, timeout: 300_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const counts = async () => {
    const db = await Db.open(dbFile, { readonly: true });
    try {
      const n = async (t: string) => (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? -1;
      return { patients: await n('patients'), cases: await n('cases'), slides: await n('slides'), profiles: await n('genomic_profiles'), analyses: await n('analyses') };
    } finally {
      await db.close();
    }
  };
  const none = { patients: 0, cases: 0, slides: 0, profiles: 0, analyses: 0 };

  before(() => {
    dir = tempDir('gliofuse-atomic-');
    dbFile = path.join(dir, 'gf.sqlite');
    env = { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: path.join(dir, 'data') };
    assert.equal(gf(['--db', dbFile, 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).code, 0);
  });

  const analyze = (extra: string[]) => gf(['--db', dbFile, '--as', 'root', 'analyze', '--model', REF, '--patient', 'GLIO-0100', '--out', path.join(dir, 'out'), ...extra]);

  test('a genomic profile with an unknown column: exit 2, twice, and no patient or case', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'idh_mutation,codeletion_1p19q,not_a_feature\n1,0,3\n');
    for (let i = 0; i < 2; i++) {
      const r = analyze(['--genomics', bad]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /unknown column "not_a_feature"/);
      assert.equal(r.err.trim().split('\n').length, 1);
    }
    assert.deepEqual(await counts(), none);
  });

  test('a file that is not a readable slide: refused, and no patient, case or profile', async () => {
    const r = analyze(['--slide', UNOPENABLE, '--genomics', ALL_DATASET, '--row-id', 'TCGA-06-0174']);
    assert.notEqual(r.code, 0);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.deepEqual(await counts(), none);
  });

  test('a readable slide the genomics-only package cannot use, and nothing else: refused before the slide is stored', async () => {
    const r = analyze(['--slide', SMALL]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /Nothing to analyse/);
    assert.deepEqual(await counts(), none);
  });

  test('a readable slide with no tissue and nothing else: refused before anything is stored', async () => {
    const blank = path.join(dir, 'blank.tif');
    const v = spawnSync('sh', ['-c', `vips black ${dir}/b.v 600 400 --bands 3 && vips linear ${dir}/b.v ${dir}/w.v 1 255 && vips cast ${dir}/w.v ${dir}/w8.v uchar && vips tiffsave ${dir}/w8.v ${blank} --tile --pyramid --compression jpeg`], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    const pathPkg = path.join(dir, 'data', 'models');
    const { buildAnalysisPackage, ENCODER_FILE } = await import('./fixtures/analysis-package.ts');
    buildAnalysisPackage(pathPkg, { id: 'umeml-test-pathology', validatedModalities: ['pathology', 'genomics'], seed: 5 });
    const r = spawnSync(process.execPath, [CLI, '--db', dbFile, '--as', 'root', 'analyze', '--model', 'umeml-test-pathology', '--patient', 'GLIO-0101', '--slide', blank, '--out', path.join(dir, 'out2')],
      { encoding: 'utf8', env: { ...env, GLIOFUSE_ENCODER_PATH: ENCODER_FILE }, timeout: 300_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /No tissue was detected.*nothing to analyse/);
    assert.deepEqual(await counts(), none);
  });

  test('the same patient in other letter case is found, not created again; a good run then stores one of each', async () => {
    const ok = gf(['--db', dbFile, '--as', 'root', '--json', 'analyze', '--model', REF, '--patient', 'GLIO-0200', '--accession', 'A-1', '--genomics', ALL_DATASET, '--row-id', 'TCGA-06-0174', '--out', path.join(dir, 'ok')]);
    assert.equal(ok.code, 0, ok.err);
    const again = gf(['--db', dbFile, '--as', 'root', '--json', 'analyze', '--model', REF, '--patient', 'glio-0200', '--accession', 'A-2', '--genomics', ALL_DATASET, '--row-id', 'TCGA-06-0174', '--out', path.join(dir, 'ok2')]);
    assert.equal(again.code, 0, again.err);
    const c = await counts();
    assert.equal(c.patients, 1);
    assert.equal(c.cases, 2);
    assert.equal(c.analyses, 2);
  });
});

test('a slide-only analysis whose tile encoder is not installed is refused before anything is stored', async () => {
  const dir = tempDir('gliofuse-atomic-enc-');
  const dbFile = path.join(dir, 'gf.sqlite');
  const env: NodeJS.ProcessEnv = { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: path.join(dir, 'data') };
  delete env.GLIOFUSE_ENCODER_PATH;
  const { buildAnalysisPackage } = await import('./fixtures/analysis-package.ts');
  buildAnalysisPackage(path.join(dir, 'data', 'models'), { id: 'umeml-test-pathology', validatedModalities: ['pathology', 'genomics'], seed: 5 });
  const gf = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, '--db', dbFile, ...args], { input, encoding: 'utf8', env, timeout: 300_000 });
  assert.equal(gf(['user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).status, 0);
  const r = gf(['--as', 'root', 'analyze', '--model', 'umeml-test-pathology', '--patient', 'GLIO-0400', '--slide', SMALL, '--out', path.join(dir, 'out')]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /encoder/i);
  const db = await Db.open(dbFile, { readonly: true });
  const n = await db.get<{ p: number; s: number }>('SELECT (SELECT COUNT(*) FROM patients) AS p, (SELECT COUNT(*) FROM slides) AS s');
  await db.close();
  assert.deepEqual(n, { p: 0, s: 0 });
});
