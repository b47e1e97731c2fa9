import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closing, dilate, erode, filterObjectsAndHoles, integralImage, labelComponents, medianFilter, otsuThreshold, rectFraction,
  saturationChannel, thresholdAbove,
} from '../../../src/main/wsi/image-ops.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function naiveMedian(src: Uint8Array, w: number, h: number, k: number): Uint8Array {
  const r = k >> 1;
  const out = new Uint8Array(w * h);
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const vals: number[] = [];
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) vals.push(src[clamp(y + dy, h - 1) * w + clamp(x + dx, w - 1)]!);
    vals.sort((a, b) => a - b);
    out[y * w + x] = vals[(k * k) >> 1]!;
  }
  return out;
}

function naiveMorph(mask: Uint8Array, w: number, h: number, k: number, dil: boolean): Uint8Array {
  const a = k >> 1;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let any = false, all = true;
    for (let yy = Math.max(0, y - a); yy <= Math.min(h - 1, y - a + k - 1); yy++) for (let xx = Math.max(0, x - a); xx <= Math.min(w - 1, x - a + k - 1); xx++) {
      if (mask[yy * w + xx]) any = true; else all = false;
    }
    out[y * w + x] = dil ? +any : +all;
  }
  return out;
}

test('median filter equals a brute-force median with replicated edges', () => {
  const r = rng(7);
  for (const [w, h, k] of [[37, 23, 7], [5, 9, 3], [64, 3, 5], [1, 1, 7]] as [number, number, number][]) {
    const src = new Uint8Array(w * h).map(() => Math.floor(r() * 256));
    assert.deepEqual(medianFilter(src, w, h, k), naiveMedian(src, w, h, k), `${w}x${h} k=${k}`);
  }
  assert.throws(() => medianFilter(new Uint8Array(4), 2, 2, 4));
});

test('dilation, erosion and closing equal brute force (even and odd kernels)', () => {
  const r = rng(3);
  for (const [w, h, k] of [[31, 17, 4], [20, 20, 3], [8, 40, 5], [3, 3, 7]] as [number, number, number][]) {
    const m = new Uint8Array(w * h).map(() => (r() < 0.35 ? 1 : 0));
    assert.deepEqual(dilate(m, w, h, k), naiveMorph(m, w, h, k, true));
    assert.deepEqual(erode(m, w, h, k), naiveMorph(m, w, h, k, false));
    assert.deepEqual(closing(m, w, h, k), naiveMorph(naiveMorph(m, w, h, k, true), w, h, k, false));
  }
});

test('closing bridges a gap narrower than the kernel', () => {
  const w = 12, h = 5;
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x !== 5 && x !== 6) m[y * w + x] = 1;
  const c = closing(m, w, h, 4);
  assert.equal(c[2 * w + 5], 1);
  assert.equal(c[2 * w + 6], 1);
});

test('Otsu separates a bimodal histogram between its modes', () => {
  const v = new Uint8Array(1000);
  for (let i = 0; i < 1000; i++) v[i] = i < 600 ? 10 + (i % 5) : 180 + (i % 7);
  const t = otsuThreshold(v);
  assert.ok(t >= 14 && t < 180, `threshold ${t}`);
  const bin = thresholdAbove(v, t);
  assert.equal(bin.reduce((s, x) => s + x, 0), 400);
});

test('saturation as OpenCV: 255·(max−min)/max, black = 0', () => {
  assert.deepEqual([...saturationChannel(new Uint8Array([255, 0, 0, 255, 255, 255, 0, 0, 0, 200, 100, 100]), 4)], [255, 0, 0, 128]);
});

test('connected components: 8-connected tissue, 4-connected background, border and first pixel', () => {
  const w = 6, h = 5;
  // two diagonal pixels form ONE 8-connected object; the enclosed 0 at (3,2) is a hole
  const rows = ['110000', '011110', '010010', '011110', '000000'];
  const m = new Uint8Array(rows.join('').split('').map(Number));
  const fg = labelComponents(m, w, h, 1);
  assert.equal(fg.sizes.length - 1, 1);
  const bg = labelComponents(m, w, h, 0);
  const holes = bg.sizes.map((s, i) => ({ s, i })).filter((x) => x.i > 0 && !bg.touchesBorder[x.i]);
  assert.equal(holes.length, 1);
  assert.equal(holes[0]!.s, 2);
  assert.equal(bg.firstPixel[holes[0]!.i], 2 * w + 2);
});

test('object / hole filtering: small objects dropped, small holes filled, at most maxHoles kept', () => {
  const w = 30, h = 20;
  const m = new Uint8Array(w * h);
  const fill = (x0: number, y0: number, x1: number, y1: number, v: number) => { for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = v; };
  fill(2, 2, 22, 18, 1); // big object, 320 px
  fill(4, 4, 8, 8, 0); // hole 16 px
  fill(10, 4, 12, 6, 0); // hole 4 px
  fill(14, 10, 20, 16, 0); // hole 36 px
  fill(25, 2, 27, 4, 1); // speck 4 px
  const r = filterObjectsAndHoles(m, w, h, 10, 10, 1);
  assert.equal(r.objects, 1);
  assert.equal(r.mask[2 * w + 25], 0, 'speck removed');
  assert.equal(r.mask[4 * w + 10], 1, 'tiny hole filled');
  assert.equal(r.mask[4 * w + 4], 1, 'second-largest hole filled (maxHoles = 1)');
  assert.equal(r.mask[12 * w + 16], 0, 'largest hole kept');
  assert.equal(r.holes, 1);
});

test('summed-area fractions, including rectangles smaller than a mask pixel', () => {
  const w = 4, h = 2;
  const m = new Uint8Array([1, 1, 0, 0, 1, 1, 0, 0]);
  const ii = integralImage(m, w, h);
  assert.equal(rectFraction(ii, w, h, 0, 0, 4, 2), 0.5);
  assert.equal(rectFraction(ii, w, h, 0, 0, 2, 2), 1);
  assert.equal(rectFraction(ii, w, h, 1.5, 0, 2.5, 1), 0.5);
  assert.ok(Math.abs(rectFraction(ii, w, h, 0.2, 0.2, 0.4, 0.4) - 1) < 1e-9);
  assert.equal(rectFraction(ii, w, h, 5, 5, 6, 6), 0);
});
