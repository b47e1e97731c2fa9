/**
 * Issue 13 in the CLI: `analyze --slide-mpp` (stored with the slide as entered by the operator, used, shown in the
 * provenance and the PDF), `--slide-qc`, and the `slide_mpp` column of a batch manifest; bad values exit 2 with one
 * line and write nothing.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { tempDir, PASSWORD } from '../../helpers/temp-services.ts';
import { REPO_ROOT, sharedFile } from '../../helpers/shared-data.ts';
import { buildAnalysisPackage } from './fixtures/analysis-package.ts';
import { AnalysisResult } from '../../../src/shared/analysis-result.ts';
import { Db } from '../../../src/main/store/db.ts';

const CLI = path.join(REPO_ROOT, 'bin', 'gliofuse.js');
const GEN = 'umeml-test-genomic';
const ALL_DATASET = sharedFile('tcga', 'all_dataset.csv');
const NO_MPP = sharedFile('wsi', 'tcga-cr-7395-01a-01-ts1.svs');

describe('analyze --slide-mpp / --slide-qc, batch slide_mpp', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let db: string[];
  const gf = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env, timeout: 300_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(() => {
    dir = tempDir('gliofuse-cli-slide-');
    const data = path.join(dir, 'data');
    buildAnalysisPackage(path.join(data, 'models'), { id: GEN, validatedModalities: ['genomics', 'clinical'], seed: 5 });
    // No tile encoder anywhere: none is needed for slide QC.
    env = { ...process.env, GLIOFUSE_FROM_SOURCE: '1', GLIOFUSE_USER: '', GLIOFUSE_DATA_DIR: data, GLIOFUSE_ENCODER_PATH: '' };
    db = ['--db', path.join(dir, 'gf.sqlite'), '--as', 'root'];
    assert.equal(gf(['--db', path.join(dir, 'gf.sqlite'), 'user', 'add', '--name', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`).code, 0);
  });

  test('bad --slide-mpp values and --slide-mpp without --slide: exit 2, one line', () => {
    for (const [args, msg] of [
      [['--slide', NO_MPP, '--slide-mpp', '0'], /--slide-mpp must be a positive number/],
      [['--slide', NO_MPP, '--slide-mpp', 'abc'], /--slide-mpp must be a positive number/],
      [['--slide-mpp', '0.5'], /--slide-mpp gives the µm\/px of --slide/],
    ] as const) {
      const r = gf([...db, 'analyze', ...args, '--genomics', ALL_DATASET, '--row-id', 'TCGA-06-0174', '--out', path.join(dir, 'bad')]);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, msg);
    }
  });

  test('--slide-mpp 0.5 --slide-qc on a slide without µm/px: QC runs with the value, shown as entered by the operator', async () => {
    const out = path.join(dir, 'qc');
    const r = gf([...db, '--json', 'analyze', '--slide', NO_MPP, '--slide-mpp', '0.5', '--slide-qc', '--genomics', ALL_DATASET, '--row-id', 'TCGA-06-0174', '--out', out]);
    assert.equal(r.code, 0, r.err);
    const result = AnalysisResult.parse(JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')));
    const mpp = result.provenance.preprocessing.slideMpp as { value: number; source: string; enteredBy: string };
    assert.deepEqual([mpp.value, mpp.source, mpp.enteredBy], [0.5, 'user', 'root']);
    const qc = result.provenance.preprocessing.slideQc as { tiles: number; mppSource: string };
    assert.ok(qc.tiles > 0);
    assert.equal(qc.mppSource, 'user');
    const pdf = execFileSync('pdftotext', ['-layout', path.join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
    assert.match(pdf, /0\.5 µm\/px\s+entered by root/);
    const store = await Db.open(path.join(dir, 'gf.sqlite'));
    try {
      const s = await store.get<{ mpp_x: number | null; user_mpp: number }>('SELECT mpp_x, user_mpp FROM slides ORDER BY id DESC LIMIT 1');
      assert.deepEqual(s, { mpp_x: null, user_mpp: 0.5 }, "the file's own (absent) value is not overwritten");
      assert.equal((await store.all('SELECT seq FROM audit_events WHERE action = ?', ['slide.mpp_entered'])).length, 1);
    } finally {
      await store.close();
    }
  });

  test('batch: a slide_mpp column; a bad value is refused before anything runs', () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, `case_id,slide,genomics,row_id,slide_mpp\nB-1,${NO_MPP},${ALL_DATASET},TCGA-06-0174,-2\n`);
    const r = gf([...db, 'batch', bad, '--out', path.join(dir, 'bad-batch')]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /slide_mpp \(line 2\) must be a positive number/);
    assert.equal(fs.existsSync(path.join(dir, 'bad-batch')), false);
  });
});
