/**
 * The analysis CLI as a user runs it (a child process, real files): features (bag read back by the training
 * recipe's own reader, second run from the cache), analyze (result.json + report.pdf, recorded in the store),
 * batch (shards, resume, per-case failures) and the exit codes 0 / 1 / 2.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage, ENCODER_FILE } from './fixtures/analysis-package.ts';
import { readBag } from '../../../src/main/analysis/feature-bag.ts';
import { AnalysisResult } from '../../../src/shared/analysis-result.ts';
import { Db } from '../../../src/main/store/db.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const GEN = 'umeml-test-genomic';
const ALL_DATASET = sharedFile('tcga', 'all_dataset.csv');
const SMALL = sharedFile('wsi', 'CMU-1-Small-Region.svs');

describe('analysis CLI', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let db: string[];

  function gf(args: string[], input?: string) {
    const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env, timeout: 300_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  before(() => {
    dir = tempDir('gliofuse-cli-analysis-');
    const data = path.join(dir, 'data');
    buildAnalysisPackage(path.join(data, 'models'), { id: GEN, validatedModalities: ['genomics', 'clinical'], seed: 3 });
    env = { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: data, GLIOFUSE_ENCODER_PATH: ENCODER_FILE };
    db = ['--db', path.join(dir, 'gf.sqlite'), '--as', 'root'];
    assert.equal(gf(['--db', path.join(dir, 'gf.sqlite'), 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).code, 0);
  });

  test('features writes the bag the training recipe reads; a second run comes from the cache', () => {
    const out = path.join(dir, 'bag');
    const r = gf(['--json', 'features', SMALL, '--out', out]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { count: number; featureDim: number; cacheHit: boolean; encodedTiles: number; tileSizeLevel0: number };
    assert.ok(j.count > 10);
    assert.equal(j.featureDim, 1280);
    assert.equal(j.cacheHit, false);
    assert.equal(j.encodedTiles, j.count);
    const bag = readBag(out, { expectedDim: 1280, verifyHash: true });
    assert.equal(bag.meta.count, j.count);
    assert.equal(bag.meta.tileSize, 224);
    assert.equal(bag.meta.mpp, 0.5);
    assert.equal(fs.statSync(path.join(out, 'features.f32')).size, j.count * 1280 * 4);
    // The recipe's reader (models/training/umeml/data.py) on the same folder: same shape, same numbers.
    const py = spawnSync('/usr/bin/python3', ['-c', [
      'import sys, json, numpy as np',
      `sys.path.insert(0, ${JSON.stringify(path.join(REPO_ROOT, 'models', 'training'))})`,
      'from umeml.data import read_bag',
      `f = read_bag(${JSON.stringify(out)}, 1280)`,
      'print(json.dumps({"shape": list(f.shape), "sum": float(np.float64(f.astype(np.float64).sum())), "first": float(f[0, 0])}))',
    ].join('\n')], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const p = JSON.parse(py.stdout) as { shape: number[]; sum: number; first: number };
    assert.deepEqual(p.shape, [j.count, 1280]);
    let sum = 0;
    for (const v of bag.features) sum += v;
    assert.ok(Math.abs(p.sum - sum) <= 1e-6 * Math.max(1, Math.abs(sum)), `${p.sum} vs ${sum}`);
    assert.equal(p.first, bag.features[0]);

    const again = gf(['--json', 'features', SMALL, '--out', path.join(dir, 'bag2')]);
    assert.equal(again.code, 0, again.err);
    const j2 = JSON.parse(again.out) as { count: number; cacheHit: boolean; encodedTiles: number };
    assert.equal(j2.cacheHit, true);
    assert.equal(j2.encodedTiles, 0);
    assert.equal(j2.count, j.count);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'bag2', 'features.f32')), fs.readFileSync(path.join(out, 'features.f32')));
  });

  test('features: a file that is not a slide is bad input (exit 2, one line)', () => {
    const r = gf(['features', sharedFile('wsi', 'kidney-48-5.tif'), '--out', path.join(dir, 'nope')]);
    assert.equal(r.code, 2);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /^gliofuse: .*kidney-48-5\.tif/);
  });

  test('analyze (genomics only) writes result.json and report.pdf and records the analysis', async () => {
    const out = path.join(dir, 'a1');
    const r = gf([...db, '--json', 'analyze', '--genomics', ALL_DATASET, '--row-id', 'TCGA-06-0174', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { analysisId: number; caseId: number; state: string; patient: string };
    assert.equal(j.state, 'succeeded');
    assert.equal(j.patient, 'TCGA-06-0174');
    const result = AnalysisResult.parse(JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')));
    assert.deepEqual(result.provenance.usedModalities, ['genomics']);
    assert.equal(fs.readFileSync(path.join(out, 'report.pdf')).subarray(0, 5).toString(), '%PDF-');
    const store = await Db.open(path.join(dir, 'gf.sqlite'));
    try {
      const row = await store.get<{ state: string; n: number }>('SELECT a.state, (SELECT COUNT(*) FROM predictions p WHERE p.analysis_id = a.id) AS n FROM analyses a WHERE a.id = ?', [j.analysisId]);
      assert.deepEqual(row, { state: 'succeeded', n: 1 });
      const acts = (await store.all<{ action: string }>('SELECT action FROM audit_events ORDER BY seq')).map((a) => a.action);
      for (const a of ['patient.created', 'case.created', 'genomics.imported', 'analysis.requested', 'analysis.succeeded', 'report.exported']) assert.ok(acts.includes(a), `${a} in ${acts.join(',')}`);
    } finally {
      await store.close();
    }
  });

  test('analyze with a package not validated for pathology does no slide work, even for a slide already encoded (issue 13)', () => {
    const out = path.join(dir, 'a2');
    const r = gf([...db, '--json', 'analyze', '--slide', SMALL, '--genomics', ALL_DATASET, '--row-id', 'TCGA-26-1442', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const result = AnalysisResult.parse(JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')));
    assert.equal(result.provenance.preprocessing.featureCache, null);
    assert.equal(result.provenance.preprocessing.slideQc, null);
    assert.ok(result.warnings.some((w) => w.code === 'unvalidated_modality'), 'this package is not validated for pathology');
    assert.equal(result.explanations.heatmap, null);
  });

  test('analyze: bad input exits 2 with one line', () => {
    const none = gf([...db, 'analyze', '--out', path.join(dir, 'x')]);
    assert.equal(none.code, 2);
    assert.match(none.err, /^gliofuse: Give --slide, --genomics or both\.\n$/);
    const missing = gf([...db, 'analyze', '--slide', path.join(dir, 'no-such.svs'), '--out', path.join(dir, 'x')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^gliofuse: Slide file not found/);
    const slideOnly = gf([...db, 'analyze', '--slide', SMALL, '--patient', 'P-SLIDE', '--out', path.join(dir, 'x')]);
    assert.equal(slideOnly.code, 2, slideOnly.err);
    assert.match(slideOnly.err, /Nothing to analyse/);
    assert.equal(slideOnly.err.trim().split('\n').length, 1);
  });

  test('batch: shards select rows i mod N, failures are per case (exit 1), a re-run skips completed cases; a missing file is refused up front', () => {
    const bdir = path.join(dir, 'batch');
    fs.mkdirSync(bdir);
    fs.writeFileSync(path.join(bdir, 'cases.csv'), [
      'case_id,slide,genomics,row_id',
      `B-0174,,${ALL_DATASET},TCGA-06-0174`,
      `B-1442,,${ALL_DATASET},TCGA-26-1442`,
      `B-BAD,${sharedFile('wsi', 'openslide-python-unopenable.tiff')},,`,
      `B-7470,,${ALL_DATASET},TCGA-HT-7470`,
    ].join('\n'));
    const out = path.join(bdir, 'out');
    const s0 = gf([...db, '--json', 'batch', path.join(bdir, 'cases.csv'), '--out', out, '--shard', '0/2']);
    assert.equal(s0.code, 1, s0.err);
    const j0 = JSON.parse(s0.out) as { selected: number; succeeded: number; failed: number; cases: { caseId: string; status: string }[] };
    assert.deepEqual(j0.cases.map((c) => [c.caseId, c.status]), [['B-0174', 'succeeded'], ['B-BAD', 'failed']]);
    assert.match(fs.readFileSync(path.join(out, 'B-BAD', 'error.txt'), 'utf8'), /^Nothing to analyse: the case has a slide|openslide-python-unopenable\.tiff|whole-slide/i);
    const s1 = gf([...db, '--json', 'batch', path.join(bdir, 'cases.csv'), '--out', out, '--shard', '1/2']);
    assert.equal(s1.code, 0, s1.err);
    assert.deepEqual((JSON.parse(s1.out) as typeof j0).cases.map((c) => [c.caseId, c.status]), [['B-1442', 'succeeded'], ['B-7470', 'succeeded']]);
    const again = gf([...db, '--json', 'batch', path.join(bdir, 'cases.csv'), '--out', out]);
    assert.equal(again.code, 1);
    const ja = JSON.parse(again.out) as typeof j0 & { skipped: number };
    assert.equal(ja.skipped, 3);
    assert.deepEqual(ja.cases.filter((c) => c.status !== 'skipped').map((c) => c.caseId), ['B-BAD']);
    for (const c of ['B-0174', 'B-1442', 'B-7470']) assert.ok(AnalysisResult.safeParse(JSON.parse(fs.readFileSync(path.join(out, c, 'result.json'), 'utf8'))).success);
    const bad = gf([...db, 'batch', path.join(bdir, 'cases.csv'), '--out', out, '--shard', '2/2']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--shard 2\/2/);
    // A row naming a file that does not exist is refused with its line before any case runs.
    fs.writeFileSync(path.join(bdir, 'missing.csv'), `case_id,slide,genomics,row_id\nB-0174,,${ALL_DATASET},TCGA-06-0174\nB-GONE,missing-slide.svs,,\n`);
    const missing = gf([...db, 'batch', path.join(bdir, 'missing.csv'), '--out', path.join(bdir, 'out-missing')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^gliofuse: batch manifest line 3: no slide file at .*missing-slide\.svs\.\n$/);
    assert.equal(fs.existsSync(path.join(bdir, 'out-missing')), false);
  });
});
