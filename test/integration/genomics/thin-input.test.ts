/**
 * Issue 12 §5, bad or thin input: a profile with 1 of 81 fields is refused for the reference package (IDH and
 * 1p/19q must be measured, at most maxImputed fields missing) naming what is missing; a JSON profile with a key
 * twice is refused like a CSV with a column twice; megabyte keys are not echoed; one size limit and one message
 * for `genomics validate` and `analyze`; impossible, future and before-birth dates exit 2 and store nothing.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { Db } from '../../../src/main/store/db.ts';
import { validateProfile } from '../../../src/main/genomics/profile.ts';
import { ModelManifest } from '../../../src/shared/model-manifest.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const REF = 'umeml-gbmlgg-genomic-ref';
const ALL_DATASET = sharedFile('tcga', 'all_dataset.csv');
const manifest = ModelManifest.parse(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'models', REF, 'manifest.json'), 'utf8')));
const ref = { id: REF, version: manifest.version, schema: manifest.genomicSchema };

test('the reference package declares its minimum evidence: IDH and 1p/19q observed, at most 8 of 81 imputed', () => {
  assert.deepEqual(manifest.genomicSchema.requiredObserved, ['idh_mutation', 'codeletion_1p19q']);
  assert.equal(manifest.genomicSchema.maxImputed, 8);
  // The public table's ordinary rows (age is derived from the case, the rest measured) still pass.
  const ok = validateProfile(ref, 'all_dataset.csv', fs.readFileSync(ALL_DATASET, 'utf8'), 'TCGA-06-0174').report;
  assert.equal(ok.ok, true, JSON.stringify(ok.errors));
});

test('1 of 81 fields: refused naming IDH and 1p/19q instead of "Glioblastoma, IDH-wildtype" at p = 0.99', () => {
  const one = validateProfile(ref, 'p.json', JSON.stringify({ age_at_diagnosis: 61 })).report;
  assert.equal(one.ok, false);
  const text = one.errors.map((e) => e.message).join(' | ');
  assert.match(text, /1p\/19q codeletion and IDH mutation must be measured: umeml-gbmlgg-genomic-ref does not impute them \(missing: codeletion_1p19q, idh_mutation\)/);
  assert.match(text, /80 of 81 fields are missing; umeml-gbmlgg-genomic-ref imputes at most 8/);
  // Both markers measured but most of the panel missing: still refused.
  const markers = validateProfile(ref, 'p.json', JSON.stringify({ idh_mutation: 1, codeletion_1p19q: 0 })).report;
  assert.equal(markers.ok, false);
  assert.ok(markers.errors.every((e) => !/must be measured/.test(e.message)));
});

test('a JSON profile with a key twice is refused like a CSV with a column twice', () => {
  const r = validateProfile(ref, 'p.json', '{"idh_mutation": 1, "codeletion_1p19q": 0, "idh_mutation": 0}').report;
  assert.equal(r.ok, false);
  assert.match(r.errors.map((e) => e.message).join(' '), /key "idh_mutation" appears more than once/);
});

test('a megabyte column name or row id is refused without echoing it', () => {
  const huge = 'x'.repeat(1_000_000);
  const r = validateProfile(ref, 'p.json', JSON.stringify({ idh_mutation: 1, [huge]: 1 })).report;
  assert.equal(r.ok, false);
  assert.ok(JSON.stringify(r).length < 20_000, `report is ${JSON.stringify(r).length} characters`);
  assert.throws(() => validateProfile(ref, 'p.csv', fs.readFileSync(ALL_DATASET, 'utf8'), huge), (e: Error) => e.message.length < 300 && /longer than 128/.test(e.message));
  // An id or a value of a megabyte inside the profile is refused, and the report (stored and audited) stays small.
  const idRow = validateProfile(ref, 'p.json', JSON.stringify({ 'TCGA ID': huge, idh_mutation: 1 })).report;
  assert.equal(idRow.ok, false);
  assert.ok(JSON.stringify(idRow).length < 20_000);
  const value = validateProfile(ref, 'p.json', JSON.stringify({ idh_mutation: `1${'0'.repeat(100_000)}` })).report;
  assert.equal(value.ok, false);
  assert.ok(JSON.stringify(value).length < 20_000);
});

describe('over the CLI', () => {
  let dir: string;
  let dbFile: string;
  let env: NodeJS.ProcessEnv;
  const gf = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env, timeout: 300_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const count = async (table: string) => {
    const db = await Db.open(dbFile, { readonly: true });
    try {
      return (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? -1;
    } finally {
      await db.close();
    }
  };
  before(() => {
    dir = tempDir('gliofuse-thin-');
    dbFile = path.join(dir, 'gf.sqlite');
    env = { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: path.join(dir, 'data') };
    assert.equal(gf(['--db', dbFile, 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).code, 0);
  });

  test('a thin profile: analyze exits 2 naming the missing fields, nothing stored', async () => {
    const thin = path.join(dir, 'thin.json');
    fs.writeFileSync(thin, JSON.stringify({ age_at_diagnosis: 61 }));
    const r = gf(['--db', dbFile, '--as', 'root', 'analyze', '--model', REF, '--genomics', thin, '--patient', 'GLIO-0300', '--out', path.join(dir, 'o1')]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /1p\/19q codeletion and IDH mutation must be measured/);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.equal(await count('patients'), 0);
  });

  test('one size limit, one message: validate and analyze refuse the same oversized CSV the same way', async () => {
    const big = path.join(dir, 'big.csv');
    const table = fs.readFileSync(ALL_DATASET, 'utf8');
    const [header, ...rows] = table.split('\n');
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, `${header}\n`);
    for (let written = 0; written < 6 * 1024 * 1024;) {
      const chunk = `${rows.join('\n')}\n`;
      fs.writeSync(fd, chunk);
      written += chunk.length;
    }
    fs.closeSync(fd);
    const v = gf(['--db', dbFile, 'genomics', 'validate', big, '--model', REF, '--row-id', 'TCGA-06-0174']);
    const a = gf(['--db', dbFile, '--as', 'root', 'analyze', '--model', REF, '--genomics', big, '--row-id', 'TCGA-06-0174', '--out', path.join(dir, 'o2')]);
    for (const r of [v, a]) {
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /^gliofuse: The genomic profile is \d+\.\d MB; profiles are limited to 5\.0 MB/);
      assert.doesNotMatch(r.err, /genomics\.import|Invalid request/);
    }
    assert.equal(v.err, a.err);
    assert.equal(await count('patients'), 0);
  });

  test('impossible, future and before-birth dates exit 2 and store nothing', async () => {
    const base = ['--db', dbFile, '--as', 'root', 'analyze', '--model', REF, '--genomics', ALL_DATASET, '--row-id', 'TCGA-06-0174', '--patient', 'GLIO-0301', '--out', path.join(dir, 'o3')];
    const future = `${new Date().getUTCFullYear() + 1}-01-15`;
    for (const [extra, re] of [[['--collected', '2024-02-30'], /not a real calendar date/], [['--collected', future], /in the future/], [['--collected', '1985-06-01', '--birth-year', '1990'], /before the patient's birth year 1990/]] as const) {
      const r = gf([...base, ...extra]);
      assert.equal(r.code, 2, `${extra.join(' ')}: ${r.err}`);
      assert.match(r.err, re);
    }
    assert.equal(await count('patients'), 0);
    assert.equal(gf(['--db', dbFile, '--as', 'root', 'patient', 'add', '--pseudonym', 'GLIO-0302', '--birth-year', '1990']).code, 0);
    for (const d of ['2024-02-30', future, '1985-06-01']) {
      const r = gf(['--db', dbFile, '--as', 'root', 'case', 'add', '--patient', 'GLIO-0302', '--collected', d]);
      assert.equal(r.code, 2, `${d}: ${r.err}`);
    }
    assert.equal(await count('cases'), 0);
  });
});
