/**
 * Tile preprocessing for the tile encoder: RGB HWC uint8 (any size) → resized to the encoder's input size →
 * normalised with the package's tileEncoder.normalisation → written as CHW float32 into one slot of an NCHW
 * batch buffer. Pure JS on typed arrays so it runs on the analysis worker's JS thread while OpenSlide decodes on
 * koffi threads and onnxruntime encodes on its own threads (docs/pipeline.md, "Overlap").
 *
 * Normalisation is a lookup table per channel (256 entries): out = (v·s − mean) / std with s = 1/255 for
 * scale "0..1" and 1 for "0..255", so the per-pixel cost is three table reads.
 * Resizing: area averaging when shrinking (no aliasing, like OpenCV INTER_AREA), bilinear when enlarging.
 */
import { badInput } from '../../shared/errors.ts';

export interface NormalisationSpec {
  mean: readonly number[];
  std: readonly number[];
  scale: '0..1' | '0..255';
}

export function normalisationLut(spec: NormalisationSpec): [Float32Array, Float32Array, Float32Array] {
  const s = spec.scale === '0..1' ? 1 / 255 : 1;
  const make = (c: number): Float32Array => {
    const mean = spec.mean[c];
    const std = spec.std[c];
    if (mean === undefined || std === undefined || !(std > 0)) throw badInput('tile normalisation needs 3 means and 3 positive standard deviations.');
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v * s - mean) / std;
    return t;
  };
  return [make(0), make(1), make(2)];
}

/** Per output index: the source span [start, end) and weights, for separable area resampling. */
interface AxisWeights {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array; // count[i] weights per output pixel, packed at offset[i]
  offset: Int32Array;
}

function areaWeights(src: number, dst: number): AxisWeights {
  const scale = src / dst;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const offset = new Int32Array(dst);
  const w: number[] = [];
  for (let i = 0; i < dst; i++) {
    if (scale >= 1) {
      // Shrink: average the source interval [i·scale, (i+1)·scale).
      const a = i * scale;
      const b = Math.min(src, (i + 1) * scale);
      const s0 = Math.floor(a);
      const s1 = Math.min(src, Math.ceil(b));
      start[i] = s0;
      count[i] = s1 - s0;
      offset[i] = w.length;
      for (let k = s0; k < s1; k++) w.push((Math.min(b, k + 1) - Math.max(a, k)) / (b - a));
    } else {
      // Enlarge: bilinear between the two nearest source centres.
      const x = Math.min(src - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const s0 = Math.floor(x);
      const s1 = Math.min(src - 1, s0 + 1);
      const f = x - s0;
      start[i] = s0;
      offset[i] = w.length;
      if (s1 === s0) {
        count[i] = 1;
        w.push(1);
      } else {
        count[i] = 2;
        w.push(1 - f, f);
      }
    }
  }
  return { start, count, offset, weights: Float32Array.from(w) };
}

export class TilePreprocessor {
  readonly size: number;
  readonly sliceFloats: number;
  private readonly lut: [Float32Array, Float32Array, Float32Array];
  private readonly axisCache = new Map<string, { x: AxisWeights; y: AxisWeights }>();
  /** Scratch for the horizontal pass of a resize (float RGB, dst width × src height). */
  private scratch = new Float32Array(0);

  constructor(spec: NormalisationSpec, inputSize: number) {
    if (!Number.isInteger(inputSize) || inputSize < 1) throw badInput(`tile encoder input size must be a positive whole number (got ${inputSize}).`);
    this.size = inputSize;
    this.sliceFloats = 3 * inputSize * inputSize;
    this.lut = normalisationLut(spec);
  }

  /**
   * Writes tile `rgb` (HWC uint8, width × height × 3) into slot `slot` of the NCHW float32 buffer `out`
   * (slot·3·S² … (slot+1)·3·S²), resizing to S × S first when needed.
   */
  intoBatch(rgb: Uint8Array, width: number, height: number, out: Float32Array, slot: number): void {
    const S = this.size;
    if (rgb.length < width * height * 3) throw badInput(`tile buffer holds ${rgb.length} bytes; ${width}×${height} RGB needs ${width * height * 3}.`);
    const base = slot * this.sliceFloats;
    if (base + this.sliceFloats > out.length) throw badInput(`batch slot ${slot} is outside a batch of ${Math.floor(out.length / this.sliceFloats)} tiles.`);
    const plane = S * S;
    const [l0, l1, l2] = this.lut;
    if (width === S && height === S) {
      for (let p = 0, j = 0; p < plane; p++, j += 3) {
        out[base + p] = l0[rgb[j] as number] as number;
        out[base + plane + p] = l1[rgb[j + 1] as number] as number;
        out[base + 2 * plane + p] = l2[rgb[j + 2] as number] as number;
      }
      return;
    }
    const resized = this.resize(rgb, width, height);
    for (let p = 0, j = 0; p < plane; p++, j += 3) {
      out[base + p] = l0[resized[j] as number] as number;
      out[base + plane + p] = l1[resized[j + 1] as number] as number;
      out[base + 2 * plane + p] = l2[resized[j + 2] as number] as number;
    }
  }

  /** Separable resize of HWC uint8 RGB to S × S (rounded back to uint8, as an image library would output). */
  resize(rgb: Uint8Array, width: number, height: number): Uint8Array {
    const S = this.size;
    const key = `${width}x${height}`;
    let ax = this.axisCache.get(key);
    if (!ax) {
      ax = { x: areaWeights(width, S), y: areaWeights(height, S) };
      if (this.axisCache.size > 16) this.axisCache.clear();
      this.axisCache.set(key, ax);
    }
    const { x, y } = ax;
    const need = S * height * 3;
    if (this.scratch.length < need) this.scratch = new Float32Array(need);
    const tmp = this.scratch;
    // Horizontal pass: height rows of S pixels.
    for (let r = 0; r < height; r++) {
      const srcRow = r * width * 3;
      const dstRow = r * S * 3;
      for (let i = 0; i < S; i++) {
        const s0 = x.start[i] as number;
        const n = x.count[i] as number;
        const o = x.offset[i] as number;
        let a = 0, b = 0, c = 0;
        for (let k = 0; k < n; k++) {
          const wk = x.weights[o + k] as number;
          const j = srcRow + (s0 + k) * 3;
          a += (rgb[j] as number) * wk;
          b += (rgb[j + 1] as number) * wk;
          c += (rgb[j + 2] as number) * wk;
        }
        const d = dstRow + i * 3;
        tmp[d] = a;
        tmp[d + 1] = b;
        tmp[d + 2] = c;
      }
    }
    // Vertical pass.
    const out = new Uint8Array(S * S * 3);
    for (let i = 0; i < S; i++) {
      const s0 = y.start[i] as number;
      const n = y.count[i] as number;
      const o = y.offset[i] as number;
      for (let col = 0; col < S; col++) {
        let a = 0, b = 0, c = 0;
        for (let k = 0; k < n; k++) {
          const wk = y.weights[o + k] as number;
          const j = ((s0 + k) * S + col) * 3;
          a += (tmp[j] as number) * wk;
          b += (tmp[j + 1] as number) * wk;
          c += (tmp[j + 2] as number) * wk;
        }
        const d = (i * S + col) * 3;
        out[d] = a < 0 ? 0 : a > 255 ? 255 : Math.round(a);
        out[d + 1] = b < 0 ? 0 : b > 255 ? 255 : Math.round(b);
        out[d + 2] = c < 0 ? 0 : c > 255 ? 255 : Math.round(c);
      }
    }
    return out;
  }
}
