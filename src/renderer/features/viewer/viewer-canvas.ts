/** Canvas helpers for the slide viewer (DOM): colouring the tissue mask, rasterising the heatmap. */
import { heatNormalise, viridis, type HeatmapLike } from './viewer-math.ts';

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


/** One pixel per heatmap cell, viridis-coloured after min–max over valueRange; cells below `threshold` (0–1) are clear. */
export function heatmapCanvas(h: HeatmapLike, threshold: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, h.width);
  canvas.height = Math.max(1, h.height);
  const ctx = canvas.getContext('2d');
  if (!ctx || h.width === 0 || h.height === 0) return canvas;
  const img = ctx.createImageData(h.width, h.height);
  for (let i = 0; i < h.width * h.height; i++) {
    const t = heatNormalise(h.values[i], h.valueRange);
    if (t === null || t < threshold) continue;
    const [r, g, b] = viridis(t);
    img.data[i * 4] = r;
    img.data[i * 4 + 1] = g;
    img.data[i * 4 + 2] = b;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
