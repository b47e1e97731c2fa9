import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { sharedFile, REPO_ROOT } from '../../helpers/shared-data.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-slidecli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  // Slide commands on a PATH need no database; point GLIOFUSE_DB at a scratch file anyway so nothing touches the user's.
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src/main/cli/main.ts'), ...args], {
    cwd: tmp, encoding: 'utf8', env: { ...process.env, GLIOFUSE_DB: path.join(tmp, 'unused.sqlite') }, timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('slide info --json', () => {
  const r = cli('slide', 'info', sharedFile('wsi', 'CMU-1-Small-Region.svs'), '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  assert.equal(j.vendor, 'aperio');
  assert.equal(j.width, 2220);
  assert.equal(j.height, 2967);
  assert.deepEqual(j.levels, [{ width: 2220, height: 2967, downsample: 1 }]);
  assert.equal(j.mpp_x, 0.499);
  assert.equal(j.objective_power, 20);
  assert.deepEqual((j.associated_images as string[]).sort(), ['label', 'macro', 'thumbnail']);
  assert.match(String(j.quickhash), /^[0-9a-f]{64}$/);
  assert.equal(fs.existsSync(path.join(tmp, 'unused.sqlite')), false, 'no database opened');
});

test('slide thumbnail, tissue and tiles', async () => {
  const file = sharedFile('wsi', 'CMU-1-Small-Region.pyramid.tif');
  const t = cli('slide', 'thumbnail', file, '--out', 'thumb.png', '--max', '300', '--json');
  assert.equal(t.code, 0, t.err);
  const meta = await sharp(path.join(tmp, 'thumb.png')).metadata();
  assert.deepEqual([meta.format, Math.max(meta.width ?? 0, meta.height ?? 0)], ['png', 300]);

  const m = cli('slide', 'tissue', file, '--out', 'mask.png', '--json');
  assert.equal(m.code, 0, m.err);
  const mj = JSON.parse(m.out) as { tissue_fraction: number; tissue_area_mm2: number; parameters: { method: string; medianSize: number; closeSize: number } };
  assert.ok(mj.tissue_fraction > 0.25 && mj.tissue_fraction < 0.5);
  assert.ok(mj.tissue_area_mm2 > 0.4);
  assert.equal(mj.parameters.method, 'otsu');
  assert.equal((await sharp(path.join(tmp, 'mask.png')).metadata()).format, 'png');

  const g = cli('slide', 'tiles', file, '--mpp', '0.5', '--size', '224', '--min-tissue', '0.5', '--out', 'tiles.csv', '--json');
  assert.equal(g.code, 0, g.err);
  const gj = JSON.parse(g.out) as { tile_count: number; level: number; effective_mpp: number; parameters: { mpp: number; size: number; minTissue: number } };
  assert.equal(gj.tile_count, 49); // issue 13: Otsu capped at the configured 20 keeps the pale edges
  assert.equal(gj.level, 0);
  assert.ok(Math.abs(gj.effective_mpp - 0.499) < 1e-3);
  assert.deepEqual([gj.parameters.mpp, gj.parameters.size, gj.parameters.minTissue], [0.5, 224, 0.5]);
  const csv = fs.readFileSync(path.join(tmp, 'tiles.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'index,x,y,width,height,tissue_fraction');
  assert.equal(csv.length, 50);
});

// Each spawn starts the whole CLI and a slide worker, so only representative cases run here; every error kind is
// covered against the engine in engine.test.ts.
test('bad input: exit 2 with one line on stderr; an unsupported format exits 1', () => {
  const cases: [string[], number, RegExp][] = [
    [['slide', 'info', path.join(tmp, 'missing.svs')], 2, /No file at/],
    [['slide', 'info', sharedFile('wsi', 'kidney-48-5.tif')], 2, /OpenSlide cannot read/],
    [['slide', 'tiles', sharedFile('wsi', 'tcga-cr-7395-01a-01-ts1.svs')], 2, /neither its resolution .* nor its objective power/],
    [['slide', 'thumbnail', sharedFile('wsi', 'CMU-1-Small-Region.svs'), '--out', path.join(tmp, 'no', 'dir', 'x.png')], 2, /does not exist/],
    [['slide', 'info', sharedFile('wsi', 'openslide-python-boxes_0.dcm')], 1, /needs OpenSlide 4/],
  ];
  for (const [args, code, msg] of cases) {
    const r = cli(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0]!, msg);
  }
});

test('tiles with a user-supplied slide µm/px on a file without one', () => {
  const r = cli('slide', 'tiles', sharedFile('wsi', 'tcga-cr-7395-01a-01-ts1.svs'), '--slide-mpp', '0.5', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { mpp_source: string; tile_count: number };
  assert.equal(j.mpp_source, 'user');
  assert.ok(j.tile_count > 0);
});
