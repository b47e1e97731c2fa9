/**
 * Pixel conversions from OpenSlide's premultiplied ARGB (one uint32 per pixel: A<<24 | R<<16 | G<<8 | B).
 *
 * Compositing a premultiplied pixel onto an opaque background needs no division:
 *   out = c_premul + bg * (255 - a) / 255
 * which for the usual white background is simply c_premul + (255 - a). Fully opaque pixels (nearly all of a
 * slide) take the fast path.
 */

export type Rgb = readonly [number, number, number];

export function argbToRgb(src: Uint32Array, background: Rgb = [255, 255, 255]): Buffer {
  const n = src.length;
  const out = Buffer.allocUnsafe(n * 3);
  const [br, bg, bb] = background;
  const white = br === 255 && bg === 255 && bb === 255;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const v = src[i] as number;
    const a = v >>> 24;
    if (a === 255) {
      out[j] = (v >>> 16) & 255;
      out[j + 1] = (v >>> 8) & 255;
      out[j + 2] = v & 255;
    } else if (white) {
      const t = 255 - a;
      out[j] = Math.min(255, ((v >>> 16) & 255) + t);
      out[j + 1] = Math.min(255, ((v >>> 8) & 255) + t);
      out[j + 2] = Math.min(255, (v & 255) + t);
    } else {
      const t = (255 - a) / 255;
      out[j] = Math.min(255, Math.round(((v >>> 16) & 255) + br * t));
      out[j + 1] = Math.min(255, Math.round(((v >>> 8) & 255) + bg * t));
      out[j + 2] = Math.min(255, Math.round((v & 255) + bb * t));
    }
  }
  return out;
}

/** Un-premultiplied RGBA (what image libraries expect). Fully transparent pixels become 0,0,0,0. */
export function argbToRgba(src: Uint32Array): Buffer {
  const n = src.length;
  const out = Buffer.allocUnsafe(n * 4);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const v = src[i] as number;
    const a = v >>> 24;
    let r = (v >>> 16) & 255;
    let g = (v >>> 8) & 255;
    let b = v & 255;
    if (a === 0) {
      r = g = b = 0;
    } else if (a !== 255) {
      r = Math.min(255, Math.round((r * 255) / a));
      g = Math.min(255, Math.round((g * 255) / a));
      b = Math.min(255, Math.round((b * 255) / a));
    }
    out[j] = r;
    out[j + 1] = g;
    out[j + 2] = b;
    out[j + 3] = a;
  }
  return out;
}

/** Parses OpenSlide's `openslide.background-color` (RRGGBB hex); white when absent or malformed. */
export function parseBackground(hex: string | null | undefined): Rgb {
  if (!hex || !/^[0-9a-fA-F]{6}$/.test(hex)) return [255, 255, 255];
  const n = parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
