/**
 * Top-patch thumbnails (src/renderer/features/viewer/patch-pieces.ts): the chosen deep-zoom tiles must cover the
 * whole thumbnail, and every thumbnail pixel must show the level-0 point it stands for. Geometry from the real
 * DeepZoom rules (src/main/wsi/deepzoom.ts) for a 1024 × 1024 slide and a 45 000 × 45 000 one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { THUMB, patchPieces, type DzGeometry } from '../../../src/renderer/features/viewer/patch-pieces.ts';
import { deepZoomLayout } from '../../../src/main/wsi/deepzoom.ts';
import type { SlideInfo } from '../../../src/main/wsi/slide-meta.ts';

function geometry(width: number, height: number): DzGeometry {
  const info = { width, height, levels: [{ width, height, downsample: 1 }] } as unknown as SlideInfo;
  const l = deepZoomLayout(info, { tileSize: 254, overlap: 1, limitBounds: false });
  return { slideId: 1, tileSize: l.tileSize, overlap: l.overlap, levelCount: l.levelCount, levels: l.levels };
}

/** For sample points of the thumbnail: the piece under it and the level-0 point that piece shows there. */
function check(dz: DzGeometry, p: { x: number; y: number; size: number }): number {
  const pieces = patchPieces(dz, { ...p, score: 1, prototype: null });
  assert.ok(pieces.length >= 1 && pieces.length <= 4, `${pieces.length} pieces`);
  let checked = 0;
  for (let sy = 0.5; sy < THUMB; sy += 7) {
    for (let sx = 0.5; sx < THUMB; sx += 7) {
      const piece = pieces.find((t) => sx >= t.left && sx < t.left + t.width && sy >= t.top && sy < t.top + t.height);
      assert.ok(piece, `thumbnail pixel (${sx}, ${sy}) is not covered for patch ${JSON.stringify(p)}`);
      const lv = dz.levels[piece.level] as { width: number; height: number };
      const d = (dz.levels[dz.levelCount - 1] as { width: number }).width / lv.width; // level-0 px per level px
      // Position inside the tile image, which starts `overlap` px before the tile's own origin when it has a neighbour.
      const levelPxPerScreenPx = (p.size / d) / THUMB;
      const inTileX = (sx - piece.left) * levelPxPerScreenPx - (piece.col > 0 ? dz.overlap : 0);
      const inTileY = (sy - piece.top) * levelPxPerScreenPx - (piece.row > 0 ? dz.overlap : 0);
      const level0X = (piece.col * dz.tileSize + inTileX) * d;
      const level0Y = (piece.row * dz.tileSize + inTileY) * d;
      const expectX = p.x + (sx / THUMB) * p.size;
      const expectY = p.y + (sy / THUMB) * p.size;
      assert.ok(Math.abs(level0X - expectX) < 1e-6 * p.size + 1e-6 && Math.abs(level0Y - expectY) < 1e-6 * p.size + 1e-6,
        `pixel (${sx}, ${sy}) shows (${level0X.toFixed(2)}, ${level0Y.toFixed(2)}), expected (${expectX.toFixed(2)}, ${expectY.toFixed(2)})`);
      checked++;
    }
  }
  return checked;
}

test('a 224-px patch of a small slide: covered, at the right place, from at most four tiles', () => {
  const dz = geometry(1024, 1024);
  assert.ok(check(dz, { x: 448, y: 448, size: 224 }) > 100);
  assert.ok(check(dz, { x: 0, y: 0, size: 224 }) > 100); // first row and column (no overlap on the left/top)
  assert.ok(check(dz, { x: 800, y: 800, size: 224 }) > 100); // last row and column (clipped tiles)
});

test('on a large slide the thumbnail comes from a coarser level, never from far more pixels than it shows', () => {
  const dz = geometry(45_000, 45_000);
  const p = { x: 20_000, y: 12_000, size: 896 };
  const pieces = patchPieces(dz, { ...p, score: 1, prototype: null });
  const top = dz.levelCount - 1;
  // 896 level-0 px in an 88-px box: three halvings (112 px ≥ 88) → top − 3.
  assert.ok(pieces.every((t) => t.level === top - 3), `levels ${pieces.map((t) => t.level).join(', ')}`);
  assert.ok(check(dz, p) > 100);
});
