import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TilePreprocessor, normalisationLut } from '../../../src/main/analysis/preprocess.ts';

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], scale: '0..1' as const };

test('normalisation LUT is (v/255 − mean)/std per channel; 0..255 scale skips the division', () => {
  const [r, g, b] = normalisationLut(IMAGENET);
  for (const v of [0, 1, 128, 255]) {
    assert.ok(Math.abs((r[v] as number) - (v / 255 - 0.485) / 0.229) < 1e-6);
    assert.ok(Math.abs((g[v] as number) - (v / 255 - 0.456) / 0.224) < 1e-6);
    assert.ok(Math.abs((b[v] as number) - (v / 255 - 0.406) / 0.225) < 1e-6);
  }
  const [r255] = normalisationLut({ mean: [100, 0, 0], std: [2, 1, 1], scale: '0..255' });
  assert.equal(r255[200], 50);
  assert.throws(() => normalisationLut({ mean: [0, 0, 0], std: [1, 0, 1], scale: '0..1' }), /positive standard deviations/);
});

test('HWC uint8 → CHW float32 in the right batch slot, nothing else touched', () => {
  const S = 4;
  const p = new TilePreprocessor({ mean: [0, 0, 0], std: [1, 1, 1], scale: '0..255' }, S);
  const rgb = new Uint8Array(S * S * 3);
  for (let i = 0; i < S * S; i++) { rgb[i * 3] = i; rgb[i * 3 + 1] = 100 + i; rgb[i * 3 + 2] = 200 + i; }
  const batch = new Float32Array(3 * p.sliceFloats).fill(-7);
  p.intoBatch(rgb, S, S, batch, 1);
  const base = p.sliceFloats;
  for (let i = 0; i < S * S; i++) {
    assert.equal(batch[base + i], i, 'R plane');
    assert.equal(batch[base + S * S + i], 100 + i, 'G plane');
    assert.equal(batch[base + 2 * S * S + i], 200 + i, 'B plane');
  }
  assert.ok(batch.subarray(0, base).every((v) => v === -7), 'slot 0 untouched');
  assert.ok(batch.subarray(2 * base).every((v) => v === -7), 'slot 2 untouched');
  assert.throws(() => p.intoBatch(rgb, S, S, batch, 3), /outside a batch of 3/);
  assert.throws(() => p.intoBatch(rgb.subarray(1), S, S, batch, 0), /needs 48/);
});

test('shrinking averages areas (2×2 → 1 pixel) and enlarging is bilinear', () => {
  const p = new TilePreprocessor(IMAGENET, 2);
  // 4×4 image of 2×2 blocks with values 0, 40, 80, 120 (all channels).
  const src = new Uint8Array(4 * 4 * 3);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) src.fill([0, 40, 80, 120][(y >> 1) * 2 + (x >> 1)] as number, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
  assert.deepEqual(Array.from(p.resize(src, 4, 4)).filter((_, i) => i % 3 === 0), [0, 40, 80, 120]);
  // A 3→2 shrink weights partial pixels: row [0, 90, 180] → [(0 + 0.5·90)/1.5, (0.5·90 + 180)/1.5] = [30, 150].
  const row = new Uint8Array(3 * 3 * 3);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) row.fill([0, 90, 180][x] as number, (y * 3 + x) * 3, (y * 3 + x) * 3 + 3);
  const out = p.resize(row, 3, 3);
  assert.deepEqual([out[0], out[3], out[6], out[9]], [30, 150, 30, 150]);
  // Enlarging a constant image keeps it constant.
  const up = new TilePreprocessor(IMAGENET, 5).resize(new Uint8Array(2 * 2 * 3).fill(77), 2, 2);
  assert.ok(up.every((v) => v === 77));
});

test('a resized tile lands in the batch normalised', () => {
  const p = new TilePreprocessor(IMAGENET, 2);
  const src = new Uint8Array(4 * 4 * 3).fill(255);
  const batch = new Float32Array(p.sliceFloats);
  p.intoBatch(src, 4, 4, batch, 0);
  assert.ok(Math.abs((batch[0] as number) - (1 - 0.485) / 0.229) < 1e-6);
  assert.ok(Math.abs((batch[11] as number) - (1 - 0.406) / 0.225) < 1e-6);
});
