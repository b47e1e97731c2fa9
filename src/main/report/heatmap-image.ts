/**
 * The report's heatmap thumbnail: the attention grid (HeatmapGrid, level-0 pixel geometry) coloured with viridis
 * and laid over the slide thumbnail with sharp. Cells without an analysed tile stay transparent, so the tissue
 * underneath shows. Without a thumbnail the grid is drawn on a neutral grey ground of the same geometry.
 */
import sharp from 'sharp';
import type { HeatmapGrid } from '../../shared/analysis-result.ts';
import { viridis } from './viridis.ts';

export interface SlideThumbnail {
  /** Any image sharp can decode (PNG, JPEG, ...), showing the whole slide. */
  image: Buffer;
  /** Level-0 size of the slide the thumbnail shows. */
  level0Width: number;
  level0Height: number;
}

export interface HeatmapImage {
  png: Buffer;
  width: number;
  height: number;
  /** Output pixels per level-0 pixel (to place patch markers). */
  scale: number;
  onThumbnail: boolean;
}

/** Display value in [0, 1] for a raw grid value, from the grid's stated valueRange (min-max). */
export function normalisedValue(v: number, range: readonly [number, number]): number {
  const [lo, hi] = range;
  if (!(hi > lo)) return 0.5;
  return Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
}

export async function renderHeatmapImage(grid: HeatmapGrid, thumb: SlideThumbnail | null, opts: { maxSide?: number; alpha?: number } = {}): Promise<HeatmapImage> {
  const maxSide = opts.maxSide ?? 640;
  const alpha = Math.round(255 * (opts.alpha ?? 0.6));
  const extentW = thumb ? thumb.level0Width : grid.originX + grid.width * grid.spacingX;
  const extentH = thumb ? thumb.level0Height : grid.originY + grid.height * grid.spacingY;
  if (!(extentW > 0 && extentH > 0)) throw new Error('heatmap has no extent');
  const scale = maxSide / Math.max(extentW, extentH);
  const width = Math.max(1, Math.round(extentW * scale));
  const height = Math.max(1, Math.round(extentH * scale));

  const overlay = Buffer.alloc(width * height * 4);
  for (let py = 0; py < height; py++) {
    const y0 = (py + 0.5) / scale;
    const j = Math.floor((y0 - grid.originY) / grid.spacingY);
    if (j < 0 || j >= grid.height) continue;
    for (let px = 0; px < width; px++) {
      const x0 = (px + 0.5) / scale;
      const i = Math.floor((x0 - grid.originX) / grid.spacingX);
      if (i < 0 || i >= grid.width) continue;
      const v = grid.values[j * grid.width + i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      const [r, g, b] = viridis(normalisedValue(v, grid.valueRange));
      const o = (py * width + px) * 4;
      overlay[o] = r;
      overlay[o + 1] = g;
      overlay[o + 2] = b;
      overlay[o + 3] = alpha;
    }
  }

  const base = thumb
    ? sharp(thumb.image).resize(width, height, { fit: 'fill' }).removeAlpha()
    : sharp({ create: { width, height, channels: 3, background: { r: 232, g: 232, b: 232 } } });
  const png = await base
    .composite([{ input: overlay, raw: { width, height, channels: 4 } }])
    .png({ compressionLevel: 9 })
    .toBuffer();
  return { png, width, height, scale, onThumbnail: Boolean(thumb) };
}
