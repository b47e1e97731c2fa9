/**
 * Which deep-zoom tiles make up a top-patch thumbnail and where each sits in the THUMB × THUMB box (pure, so it is
 * unit-tested: test/unit/renderer/patch-pieces.test.ts). PatchGallery.tsx turns the pieces into <img> elements.
 */
export interface PatchItem {
  x: number;
  y: number;
  size: number;
  score: number;
  prototype: number | null;
}

/** The part of the deep-zoom descriptor the thumbnails need. */
export interface DzGeometry {
  slideId: number;
  tileSize: number;
  overlap: number;
  levelCount: number;
  levels: readonly { width: number; height: number; cols: number; rows: number }[];
}

/** Thumbnail side in CSS px. */
export const THUMB = 88;

export interface TilePiece {
  key: string;
  level: number;
  col: number;
  row: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The deep-zoom tiles covering a level-0 square, placed in a THUMB × THUMB box. Picks the coarsest level that still
 * has at least THUMB pixels across the patch, so a patch needs at most four small tiles.
 */
export function patchPieces(dz: DzGeometry, p: PatchItem): TilePiece[] {
  const maxDz = dz.levelCount - 1;
  const steps = Math.max(0, Math.min(maxDz, Math.floor(Math.log2(Math.max(1, p.size / THUMB)))));
  const level = maxDz - steps;
  const lv = dz.levels[level];
  if (!lv) return [];
  const d = 2 ** steps;
  const k = THUMB / (p.size / d); // screen px per level px
  const x0 = p.x / d;
  const y0 = p.y / d;
  const x1 = (p.x + p.size) / d;
  const y1 = (p.y + p.size) / d;
  const ts = dz.tileSize;
  const clampCol = (c: number) => Math.max(0, Math.min(lv.cols - 1, c));
  const clampRow = (r: number) => Math.max(0, Math.min(lv.rows - 1, r));
  const pieces: TilePiece[] = [];
  for (let col = clampCol(Math.floor(x0 / ts)); col <= clampCol(Math.floor((x1 - 1e-6) / ts)); col++) {
    for (let row = clampRow(Math.floor(y0 / ts)); row <= clampRow(Math.floor((y1 - 1e-6) / ts)); row++) {
      // A deep-zoom tile carries `overlap` extra pixels on every side that has a neighbour.
      const left = col > 0 ? dz.overlap : 0;
      const top = row > 0 ? dz.overlap : 0;
      const w = Math.min(ts, lv.width - ts * col) + left + (col < lv.cols - 1 ? dz.overlap : 0);
      const h = Math.min(ts, lv.height - ts * row) + top + (row < lv.rows - 1 ? dz.overlap : 0);
      pieces.push({
        key: `${level}/${col}_${row}`,
        level, col, row,
        left: (col * ts - left - x0) * k,
        top: (row * ts - top - y0) * k,
        width: w * k,
        height: h * k,
      });
    }
  }
  return pieces;
}

