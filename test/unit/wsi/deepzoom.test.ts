import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { sharedFile } from '../../helpers/shared-data.ts';
import { OpenSlideLibrary } from '../../../src/main/wsi/openslide-ffi.ts';
import { bestLevelForDownsample, deepZoomLayout, deepZoomTile, dziJson, dziXml, totalTiles } from '../../../src/main/wsi/deepzoom.ts';
import { GliofuseError } from '../../../src/shared/errors.ts';

// openslide-python's DeepZoomGenerator is the reference: level counts, grid sizes and read_region arguments must match.
const PY = `
import json, sys, openslide
from openslide.deepzoom import DeepZoomGenerator
s = openslide.OpenSlide(sys.argv[1])
out = []
for ts, ov in ((254, 1), (256, 0), (510, 2)):
    dz = DeepZoomGenerator(s, ts, ov, False)
    tiles = []
    for L in range(dz.level_count):
        c, r = dz.level_tiles[L]
        for a in {(0, 0), (c - 1, r - 1), (c // 2, r // 2), (c - 1, 0), (0, r - 1)}:
            (loc, lvl, size) = dz.get_tile_coordinates(L, a)
            tiles.append([L, a[0], a[1], loc[0], loc[1], lvl, size[0], size[1], *dz.get_tile_dimensions(L, a)])
    best = [s.get_best_level_for_downsample(d) for d in (0.5, 1, 1.9, 2, 2.0004, 3, 4.1, 16, 17, 1000)]
    out.append(dict(ts=ts, ov=ov, count=dz.level_count, tiles_per_level=dz.level_tiles, dims=dz.level_dimensions, total=dz.tile_count, tiles=tiles, best=best))
print(json.dumps(out))
`;

for (const name of ['CMU-1-Small-Region.svs', 'CMU-1-Small-Region.pyramid.tif', 'openslide-python-boxes.tiff', 'ndpi-test3-DAPI-2-387.ndpi', 'openslide-python-small.svs']) {
  test(`deep-zoom layout and tile coordinates match openslide-python for ${name}`, () => {
    const file = sharedFile('wsi', name);
    const out: string = execFileSync('/usr/bin/python3', ['-c', PY, file], { encoding: 'utf8' });
    const ref = JSON.parse(out) as {
      ts: number; ov: number; count: number; tiles_per_level: [number, number][]; dims: [number, number][]; total: number; tiles: number[][]; best: number[];
    }[];
    const slide = OpenSlideLibrary.load().open(file);
    assert.ok(slide);
    try {
      const src = { levels: slide.levels, bounds: null };
      const downs = [0.5, 1, 1.9, 2, 2.0004, 3, 4.1, 16, 17, 1000];
      for (const r of ref) {
        const layout = deepZoomLayout(src, { tileSize: r.ts, overlap: r.ov });
        assert.equal(layout.levelCount, r.count);
        assert.equal(layout.levelCount, Math.ceil(Math.log2(Math.max(slide.dimensions.width, slide.dimensions.height))) + 1);
        assert.deepEqual(layout.levels.map((l) => [l.cols, l.rows]), r.tiles_per_level);
        assert.deepEqual(layout.levels.map((l) => [l.width, l.height]), r.dims);
        assert.equal(totalTiles(layout), r.total);
        for (const [L, c, rw, x, y, lvl, w, h, zw, zh] of r.tiles as number[][]) {
          const t = deepZoomTile(layout, L!, c!, rw!);
          assert.deepEqual([t.x, t.y, t.slideLevel, t.readWidth, t.readHeight, t.width, t.height], [x, y, lvl, w, h, zw, zh], `level ${L} tile ${c},${rw}`);
        }
        assert.deepEqual(downs.map((d): number => bestLevelForDownsample(slide.levels, d)), r.best);
        assert.deepEqual(downs.map((d): number => slide.bestLevelForDownsample(d)), r.best, 'OpenSlide agrees with our rule');
      }
    } finally {
      slide.close();
    }
  });
}

test('tile sizes: 254 + 1 px overlap on interior edges, clipped at the image edge', () => {
  const layout = deepZoomLayout({ levels: [{ width: 1000, height: 600, downsample: 1 }], bounds: null });
  assert.equal(layout.levelCount, 11); // ceil(log2(1000)) + 1
  const top = layout.levelCount - 1;
  assert.deepEqual([layout.levels[top]!.cols, layout.levels[top]!.rows], [4, 3]);
  assert.deepEqual([deepZoomTile(layout, top, 0, 0).width, deepZoomTile(layout, top, 0, 0).height], [255, 255]);
  assert.deepEqual([deepZoomTile(layout, top, 1, 1).width, deepZoomTile(layout, top, 1, 1).height], [256, 256]);
  assert.deepEqual([deepZoomTile(layout, top, 3, 2).width, deepZoomTile(layout, top, 3, 2).height], [1000 - 762 + 1, 600 - 508 + 1]);
  assert.deepEqual(layout.levels[0], { width: 1, height: 1, cols: 1, rows: 1, slideLevel: 0, scale: 1024 });
});

test('limitBounds renders only the bounds rectangle, offset in level-0 coordinates', () => {
  const src = { levels: [{ width: 4000, height: 3000, downsample: 1 }, { width: 1000, height: 750, downsample: 4 }], bounds: { x: 1000, y: 500, width: 2000, height: 1000 } };
  const layout = deepZoomLayout(src, { limitBounds: true });
  assert.deepEqual([layout.width, layout.height], [2000, 1000]);
  assert.deepEqual(layout.slideLevels[1], { width: 500, height: 250, downsample: 4 });
  const t = deepZoomTile(layout, layout.levelCount - 1, 0, 0);
  assert.deepEqual([t.x, t.y], [1000, 500]);
  const full = deepZoomLayout(src, { limitBounds: false });
  assert.deepEqual([full.width, full.height], [4000, 3000]);
});

test('addresses outside the pyramid are BAD_INPUT', () => {
  const layout = deepZoomLayout({ levels: [{ width: 500, height: 500, downsample: 1 }], bounds: null });
  for (const [l, c, r] of [[-1, 0, 0], [layout.levelCount, 0, 0], [layout.levelCount - 1, 2, 0], [layout.levelCount - 1, 0, 2], [0, 0.5, 0], [0, Number.NaN, 0]] as [number, number, number][]) {
    assert.throws(() => deepZoomTile(layout, l, c, r), (e) => e instanceof GliofuseError && e.code === 'BAD_INPUT');
  }
});

test('DZI descriptor (XML and OpenSeadragon inline JSON)', () => {
  const layout = deepZoomLayout({ levels: [{ width: 2220, height: 2967, downsample: 1 }], bounds: null });
  assert.match(dziXml(layout), /<Image xmlns="http:\/\/schemas\.microsoft\.com\/deepzoom\/2008" Format="jpeg" Overlap="1" TileSize="254"><Size Width="2220" Height="2967"\/><\/Image>/);
  assert.deepEqual(dziJson(layout, 'wsi://slide/1/').Image.Size, { Width: '2220', Height: '2967' });
});
