/** Pure helpers for the slide viewer: scale bar, magnification, colour maps, mask colouring. */

/** Nice lengths for a scale bar: 1, 2, 5 × 10^k µm. */
export function scaleBar(umPerScreenPx: number, targetPx = 140): { px: number; label: string } | null {
  if (!Number.isFinite(umPerScreenPx) || umPerScreenPx <= 0) return null;
  const targetUm = umPerScreenPx * targetPx;
  const pow = Math.pow(10, Math.floor(Math.log10(targetUm)));
  let nice = pow;
  for (const m of [1, 2, 5, 10]) if (m * pow <= targetUm) nice = m * pow;
  const px = nice / umPerScreenPx;
  const label = nice >= 1000 ? `${+(nice / 1000).toPrecision(3)} mm` : nice >= 1 ? `${+nice.toPrecision(3)} µm` : `${+(nice * 1000).toPrecision(3)} nm`;
  return { px, label };
}

/**
 * Apparent magnification on screen: the scan's objective power times screen pixels per level-0 pixel. Without an
 * objective power, estimated from the resolution (a 10× objective ≈ 1 µm/px is the usual convention).
 */
export function magnification(imageZoom: number, objectivePower: number | null, mpp: number | null): { value: number; estimated: boolean } | null {
  if (objectivePower && objectivePower > 0) return { value: objectivePower * imageZoom, estimated: false };
  if (mpp && mpp > 0) return { value: (10 / mpp) * imageZoom, estimated: true };
  return null;
}

export function fmtMag(v: number): string {
  return v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
}

/** Viridis (perceptually uniform, colour-blind safe), 9 stops from matplotlib's table. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** CSS gradient of the colour map for legends. */
export function viridisCss(): string {
  return `linear-gradient(90deg, ${VIRIDIS.map((c, i) => `rgb(${c.join(',')}) ${Math.round((i / (VIRIDIS.length - 1)) * 100)}%`).join(', ')})`;
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('The tissue mask image could not be decoded.'));
    img.src = src;
  });
}

/** Turns the black/white mask PNG into a transparent PNG with tissue in `rgb` (so it overlays the slide). */
export async function colourMask(maskPng: string, rgb: [number, number, number]): Promise<string> {
  const img = await loadImage(maskPng);
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No 2D canvas available.');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const px = data.data;
  for (let i = 0; i < px.length; i += 4) {
    const tissue = (px[i] ?? 0) > 127;
    px[i] = rgb[0];
    px[i + 1] = rgb[1];
    px[i + 2] = rgb[2];
    px[i + 3] = tissue ? 255 : 0;
  }
  ctx.putImageData(data, 0, 0);
  return canvas.toDataURL('image/png');
}

export interface HeatmapLike {
  width: number;
  height: number;
  values: (number | null)[];
  valueRange: [number, number];
}

/** One pixel per heatmap cell, viridis-coloured after min–max over valueRange; cells below `threshold` (0–1) are clear. */
export function heatmapCanvas(h: HeatmapLike, threshold: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, h.width);
  canvas.height = Math.max(1, h.height);
  const ctx = canvas.getContext('2d');
  if (!ctx || h.width === 0 || h.height === 0) return canvas;
  const img = ctx.createImageData(h.width, h.height);
  const [lo, hi] = h.valueRange;
  const span = hi - lo || 1;
  for (let i = 0; i < h.width * h.height; i++) {
    const v = h.values[i];
    if (v === null || v === undefined) continue;
    const t = (v - lo) / span;
    if (t < threshold) continue;
    const [r, g, b] = viridis(t);
    img.data[i * 4] = r;
    img.data[i * 4 + 1] = g;
    img.data[i * 4 + 2] = b;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
