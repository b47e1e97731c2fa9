/**
 * Tiling for the model: a grid of square tiles at a fixed physical resolution (default 224 px at 0.5 µm/px, no
 * overlap), kept where the tissue mask covers at least `minTissue` of the tile, read from the best pyramid level
 * and resized to the output size. Coordinates are level-0 pixels. The grid is pure arithmetic over the slide info
 * and the mask; reading is a bounded-memory async iterator with several batches in flight across the workers.
 */
import { GliofuseError } from '../../shared/errors.ts';
import { TileGridParams, type TileGridParamsInput } from '../../shared/contract/slides.ts';
import { bestLevelForDownsample } from './deepzoom.ts';
import { integralImage, rectFraction } from './image-ops.ts';
import type { SlideInfo } from './slide-meta.ts';
import type { SlideEngine } from './engine.ts';

export type TileMppSource = 'openslide' | 'tiff-resolution' | 'user' | 'objective-power';

export interface ResolvedMpp {
  mppX: number;
  mppY: number;
  source: TileMppSource;
  warnings: string[];
}

/**
 * The slide's µm/px for tiling: an explicit user value wins; then the file's MPP; then the objective power
 * (10 µm/px ÷ objective, i.e. 20x → 0.5, 40x → 0.25) with a warning; otherwise BAD_INPUT.
 */
export function resolveSlideMpp(info: Pick<SlideInfo, 'mppX' | 'mppY' | 'mppSource' | 'objectivePower' | 'fileName'>, userMpp?: number): ResolvedMpp {
  if (userMpp !== undefined) {
    if (!(userMpp > 0) || userMpp > 100) throw new GliofuseError('BAD_INPUT', 'The slide µm/px must be a positive number up to 100.');
    return { mppX: userMpp, mppY: userMpp, source: 'user', warnings: [] };
  }
  if (info.mppX !== null && info.mppSource !== null) return { mppX: info.mppX, mppY: info.mppY ?? info.mppX, source: info.mppSource, warnings: [] };
  if (info.objectivePower !== null) {
    const m = 10 / info.objectivePower;
    return {
      mppX: m, mppY: m, source: 'objective-power',
      warnings: [`${info.fileName} records no µm/px; assuming ${m.toFixed(3)} µm/px from its ${info.objectivePower}x objective power. Supply the slide's µm/px if you know it.`],
    };
  }
  throw new GliofuseError('BAD_INPUT', `${info.fileName} records neither its resolution (µm/px) nor its objective power; supply the slide's µm/px (e.g. --slide-mpp 0.25) to tile it.`);
}

export interface MaskLike {
  mask: Uint8Array;
  width: number;
  height: number;
  downsampleX: number;
  downsampleY: number;
}

export interface TileGrid {
  params: TileGridParams;
  slideMpp: number;
  slideMppY: number;
  mppSource: TileMppSource;
  /** Pyramid level read, its downsample, and the region size read there per tile. */
  level: number;
  levelDownsample: number;
  readWidth: number;
  readHeight: number;
  /** Tile side in level-0 pixels. */
  tileWidthL0: number;
  tileHeightL0: number;
  /** The µm/px the output tiles actually have (tile sides are whole level-0 pixels). */
  effectiveMpp: number;
  originX: number;
  originY: number;
  cols: number;
  rows: number;
  /** Kept tiles in row-major order: level-0 top-left and tissue fraction. */
  tiles: { x: number; y: number; tissue: number }[];
  warnings: string[];
}

/** A pyramid level within 1 % of the wanted downsample is used as is (saves reading 2×2 the pixels for ~no change). */
const LEVEL_TOLERANCE = 1.01;

export function computeTileGrid(info: SlideInfo, mask: MaskLike | null, input: TileGridParamsInput = {}): TileGrid {
  const pr = TileGridParams.safeParse(input);
  if (!pr.success) throw new GliofuseError('BAD_INPUT', `Invalid tiling parameters: ${pr.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const params = pr.data;
  const mpp = resolveSlideMpp(info, params.slideMpp);
  const tileWidthL0 = Math.max(1, Math.round((params.size * params.mpp) / mpp.mppX));
  const tileHeightL0 = Math.max(1, Math.round((params.size * params.mpp) / mpp.mppY));
  const downsample = Math.min(tileWidthL0, tileHeightL0) / params.size;
  const level = bestLevelForDownsample(info.levels, downsample * LEVEL_TOLERANCE);
  const levelDownsample = (info.levels[level] as { downsample: number }).downsample;
  const readWidth = Math.max(1, Math.round(tileWidthL0 / levelDownsample));
  const readHeight = Math.max(1, Math.round(tileHeightL0 / levelDownsample));
  const warnings = [...mpp.warnings];
  if (downsample < 1 / LEVEL_TOLERANCE) warnings.push(`The target ${params.mpp} µm/px is finer than the slide's ${mpp.mppX.toFixed(3)} µm/px: tiles are upsampled.`);

  const b = info.bounds ?? { x: 0, y: 0, width: info.width, height: info.height };
  const cols = Math.floor(b.width / tileWidthL0);
  const rows = Math.floor(b.height / tileHeightL0);
  const ii = mask ? integralImage(mask.mask, mask.width, mask.height) : null;
  const tiles: TileGrid['tiles'] = [];
  for (let r = 0; r < rows; r++) {
    const y = b.y + r * tileHeightL0;
    for (let c = 0; c < cols; c++) {
      const x = b.x + c * tileWidthL0;
      let tissue = 1;
      if (mask && ii) {
        tissue = rectFraction(ii, mask.width, mask.height, x / mask.downsampleX, y / mask.downsampleY, (x + tileWidthL0) / mask.downsampleX, (y + tileHeightL0) / mask.downsampleY);
      }
      if (tissue >= params.minTissue) tiles.push({ x, y, tissue: Math.round(tissue * 1000) / 1000 });
    }
  }
  return {
    params, slideMpp: mpp.mppX, slideMppY: mpp.mppY, mppSource: mpp.source, level, levelDownsample, readWidth, readHeight,
    tileWidthL0, tileHeightL0, effectiveMpp: (tileWidthL0 * mpp.mppX) / params.size, originX: b.x, originY: b.y,
    cols, rows, tiles, warnings,
  };
}

export function tilesCsv(grid: TileGrid): string {
  const lines = ['index,x,y,width,height,tissue_fraction'];
  grid.tiles.forEach((t, i) => lines.push(`${i},${t.x},${t.y},${grid.tileWidthL0},${grid.tileHeightL0},${t.tissue}`));
  return `${lines.join('\n')}\n`;
}

export interface TileData {
  index: number;
  x: number;
  y: number;
  tissue: number;
  /** RGB, size × size × 3 bytes. */
  rgb: Buffer;
}

export interface StreamOptions {
  /** Tiles per worker request (amortises messaging; neighbours share OpenSlide's decoded-tile cache). */
  batchSize?: number;
  /** Batches in flight at once (bounds memory to about inFlight × batchSize tiles). */
  inFlight?: number;
  signal?: AbortSignal;
}

/**
 * Yields every kept tile's pixels in grid order. At most `inFlight` batches are outstanding; consecutive batches
 * go to alternating workers, so reads proceed in parallel while the consumer works on earlier tiles.
 */
export async function* streamTiles(engine: SlideEngine, path: string, grid: TileGrid, opts: StreamOptions = {}): AsyncGenerator<TileData> {
  const batchSize = Math.max(1, opts.batchSize ?? 8);
  const inFlight = Math.max(1, opts.inFlight ?? engine.pool.size * 2);
  const size = grid.params.size;
  const batches: number[][] = [];
  for (let i = 0; i < grid.tiles.length; i += batchSize) {
    batches.push(Array.from({ length: Math.min(batchSize, grid.tiles.length - i) }, (_, k) => i + k));
  }
  const queue: { idx: number[]; p: Promise<Buffer[]> }[] = [];
  let next = 0;
  const launch = () => {
    const idx = batches[next];
    if (!idx) return;
    const coords: number[] = [];
    for (const i of idx) { const t = grid.tiles[i] as TileGrid['tiles'][number]; coords.push(t.x, t.y); }
    const p = engine.readTiles(path, { level: grid.level, readWidth: grid.readWidth, readHeight: grid.readHeight, outWidth: size, outHeight: size, coords }, next);
    p.catch(() => undefined); // surfaced when this batch is awaited; avoids an unhandled rejection meanwhile
    queue.push({ idx, p });
    next++;
  };
  while (queue.length < inFlight && next < batches.length) launch();
  while (queue.length) {
    if (opts.signal?.aborted) throw new GliofuseError('CANCELLED', 'Tiling was cancelled.');
    const head = queue.shift() as { idx: number[]; p: Promise<Buffer[]> };
    const tiles = await head.p;
    launch();
    for (let k = 0; k < head.idx.length; k++) {
      const i = head.idx[k] as number;
      const t = grid.tiles[i] as TileGrid['tiles'][number];
      yield { index: i, x: t.x, y: t.y, tissue: t.tissue, rgb: tiles[k] as Buffer };
    }
  }
}
