/**
 * Deep Zoom level math (the DZI convention OpenSeadragon reads), with the same rules as openslide-python's
 * DeepZoomGenerator so tiles line up with what other tools produce:
 * - dz levels halve the (optionally bounds-limited) level-0 size, rounding up, until 1×1: count = ceil(log2(max))+1;
 * - tiles are `tileSize` px plus `overlap` px on each interior edge;
 * - each dz level reads from the slide level OpenSlide picks for its total downsample, then scales to size.
 * Four coordinate planes: tile (t), dz-level pixels (z), slide-level pixels (l), level-0 pixels (l0).
 */
import { GliofuseError } from '../../shared/errors.ts';
import type { LevelDims } from './slide-meta.ts';

export interface DeepZoomOptions {
  tileSize?: number;
  overlap?: number;
  limitBounds?: boolean;
}

export interface DeepZoomSource {
  levels: readonly LevelDims[];
  bounds: { x: number; y: number; width: number; height: number } | null;
}

export interface DeepZoomLayout {
  tileSize: number;
  overlap: number;
  limitBounds: boolean;
  /** Level-0 offset of the rendered area (bounds origin when limitBounds). */
  l0Offset: [number, number];
  /** Rendered size (level 0, bounds-limited when limitBounds) = the largest dz level. */
  width: number;
  height: number;
  levelCount: number;
  /** Per dz level (0 = 1×1): pixel size, tile grid, slide level read, and the scale from that slide level. */
  levels: { width: number; height: number; cols: number; rows: number; slideLevel: number; scale: number }[];
  /** Slide level sizes after bounds limiting. */
  slideLevels: { width: number; height: number; downsample: number }[];
}

export interface DeepZoomTile {
  /** read_region arguments: level-0 origin, slide level, size at that level. */
  x: number;
  y: number;
  slideLevel: number;
  readWidth: number;
  readHeight: number;
  /** Final tile size (including overlap). */
  width: number;
  height: number;
}

/**
 * OpenSlide's rule for the best level: the deepest level whose downsample does not exceed the request
 * (level 0 below the first, the last level above the last).
 */
export function bestLevelForDownsample(levels: readonly { downsample: number }[], downsample: number): number {
  const first = levels[0];
  if (!first || downsample < first.downsample) return 0;
  for (let i = 1; i < levels.length; i++) {
    if (downsample < (levels[i] as { downsample: number }).downsample) return i - 1;
  }
  return levels.length - 1;
}

export function deepZoomLayout(src: DeepZoomSource, opts: DeepZoomOptions = {}): DeepZoomLayout {
  const tileSize = opts.tileSize ?? 254;
  const overlap = opts.overlap ?? 1;
  const limitBounds = opts.limitBounds ?? false;
  if (!Number.isInteger(tileSize) || tileSize < 1 || tileSize > 4096) throw new GliofuseError('BAD_INPUT', 'Deep-zoom tile size must be a whole number between 1 and 4096.');
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > 64) throw new GliofuseError('BAD_INPUT', 'Deep-zoom overlap must be a whole number between 0 and 64.');
  const l0 = src.levels[0];
  if (!l0) throw new GliofuseError('BAD_INPUT', 'The slide has no levels.');

  let l0Offset: [number, number] = [0, 0];
  let slideLevels = src.levels.map((l) => ({ width: l.width, height: l.height, downsample: l.downsample }));
  if (limitBounds && src.bounds) {
    l0Offset = [src.bounds.x, src.bounds.y];
    const sx = src.bounds.width / l0.width;
    const sy = src.bounds.height / l0.height;
    slideLevels = slideLevels.map((l) => ({ width: Math.ceil(l.width * sx), height: Math.ceil(l.height * sy), downsample: l.downsample }));
  }
  const top = slideLevels[0] as { width: number; height: number };

  // Halve (rounding up) down to 1×1, then reverse so dz level 0 is the smallest.
  const dims: [number, number][] = [[top.width, top.height]];
  let [w, h] = [top.width, top.height];
  while (w > 1 || h > 1) {
    w = Math.max(1, Math.ceil(w / 2));
    h = Math.max(1, Math.ceil(h / 2));
    dims.push([w, h]);
  }
  dims.reverse();
  const levelCount = dims.length;
  const levels = dims.map(([zw, zh], dz) => {
    const l0Downsample = 2 ** (levelCount - dz - 1);
    const slideLevel = bestLevelForDownsample(slideLevels, l0Downsample);
    const ds = (slideLevels[slideLevel] as { downsample: number }).downsample;
    return { width: zw, height: zh, cols: Math.ceil(zw / tileSize), rows: Math.ceil(zh / tileSize), slideLevel, scale: l0Downsample / ds };
  });
  return { tileSize, overlap, limitBounds, l0Offset, width: top.width, height: top.height, levelCount, levels, slideLevels };
}

/** The read_region arguments and output size of one tile; BAD_INPUT for a level or address outside the pyramid. */
export function deepZoomTile(layout: DeepZoomLayout, dzLevel: number, col: number, row: number): DeepZoomTile {
  if (!Number.isInteger(dzLevel) || dzLevel < 0 || dzLevel >= layout.levelCount) throw new GliofuseError('BAD_INPUT', `Deep-zoom level ${dzLevel} does not exist (0–${layout.levelCount - 1}).`);
  const lv = layout.levels[dzLevel] as DeepZoomLayout['levels'][number];
  if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= lv.cols || row >= lv.rows) {
    throw new GliofuseError('BAD_INPUT', `Tile ${col},${row} is outside deep-zoom level ${dzLevel} (${lv.cols}×${lv.rows} tiles).`);
  }
  const { tileSize, overlap } = layout;
  const sl = layout.slideLevels[lv.slideLevel] as { width: number; height: number; downsample: number };
  const axis = (t: number, count: number, zLim: number, lLim: number, off: number) => {
    const tl = t !== 0 ? overlap : 0;
    const br = t !== count - 1 ? overlap : 0;
    const zSize = Math.min(tileSize, zLim - tileSize * t) + tl + br;
    const l = lv.scale * (tileSize * t - tl);
    const l0 = Math.floor(sl.downsample * l + off);
    const lSize = Math.floor(Math.min(Math.ceil(lv.scale * zSize), lLim - Math.ceil(l)));
    return { zSize, l0, lSize };
  };
  const ax = axis(col, lv.cols, lv.width, sl.width, layout.l0Offset[0]);
  const ay = axis(row, lv.rows, lv.height, sl.height, layout.l0Offset[1]);
  return { x: ax.l0, y: ay.l0, slideLevel: lv.slideLevel, readWidth: Math.max(1, ax.lSize), readHeight: Math.max(1, ay.lSize), width: ax.zSize, height: ay.zSize };
}

export function totalTiles(layout: DeepZoomLayout): number {
  return layout.levels.reduce((s, l) => s + l.cols * l.rows, 0);
}

/** The .dzi XML OpenSeadragon (and other DZI viewers) read. */
export function dziXml(layout: DeepZoomLayout, format: 'jpeg' | 'png' = 'jpeg'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="${format}" Overlap="${layout.overlap}" TileSize="${layout.tileSize}"><Size Width="${layout.width}" Height="${layout.height}"/></Image>`;
}

/** The same descriptor as OpenSeadragon's inline JSON tile source ({Image: {...}}); Url is filled by the shell. */
export function dziJson(layout: DeepZoomLayout, url: string, format: 'jpeg' | 'png' = 'jpeg') {
  return {
    Image: {
      xmlns: 'http://schemas.microsoft.com/deepzoom/2008',
      Url: url,
      Format: format,
      Overlap: String(layout.overlap),
      TileSize: String(layout.tileSize),
      Size: { Width: String(layout.width), Height: String(layout.height) },
    },
  };
}
