import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { viridis, viridisHex, VIRIDIS_STOPS } from '../../../src/main/report/viridis.ts';
import { normalisedValue, renderHeatmapImage } from '../../../src/main/report/heatmap-image.ts';
import type { HeatmapGrid } from '../../../src/shared/analysis-result.ts';

test('viridis: published end points, clamped outside [0, 1], luminance rises monotonically', () => {
  assert.equal(viridisHex(0), '#440154');
  assert.equal(viridisHex(1), '#fde725');
  assert.equal(viridisHex(-3), '#440154');
  assert.equal(viridisHex(7), '#fde725');
  assert.equal(viridisHex(Number.NaN), '#440154');
  const lum = (c: [number, number, number]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  let prev = -1;
  for (let i = 0; i <= 100; i++) {
    const l = lum(viridis(i / 100));
    assert.ok(l > prev, `luminance increases at ${i / 100}`);
    prev = l;
  }
  assert.equal(VIRIDIS_STOPS.length, 10);
});

test('normalisedValue maps the stated value range to [0, 1]; a flat range maps to the middle', () => {
  assert.equal(normalisedValue(2, [2, 4]), 0);
  assert.equal(normalisedValue(3, [2, 4]), 0.5);
  assert.equal(normalisedValue(9, [2, 4]), 1);
  assert.equal(normalisedValue(5, [5, 5]), 0.5);
});

const grid: HeatmapGrid = {
  originX: 100, originY: 0, spacingX: 100, spacingY: 100, width: 2, height: 2,
  values: [0, 1, null, 0.5], valueRange: [0, 1], quantity: 'test', normalisation: 'min-max',
};

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const o = (y * info.width + x) * info.channels;
  return Array.from(data.subarray(o, o + 3));
}

test('heatmap without a thumbnail: cells land at their level-0 place in viridis over grey; empty cells stay grey', async () => {
  // Extent 300 x 200 level-0 px, drawn 300 px wide (scale 1).
  const img = await renderHeatmapImage(grid, null, { maxSide: 300, alpha: 1 });
  assert.deepEqual([img.width, img.height, img.scale, img.onThumbnail], [300, 200, 1, false]);
  assert.deepEqual(await pixel(img.png, 50, 50), [232, 232, 232], 'left of the grid origin: background');
  assert.deepEqual(await pixel(img.png, 150, 50), viridis(0));
  assert.deepEqual(await pixel(img.png, 250, 50), viridis(1));
  assert.deepEqual(await pixel(img.png, 150, 150), [232, 232, 232], 'null cell: no colour');
  assert.deepEqual(await pixel(img.png, 250, 150), viridis(0.5));
});

test('heatmap over a thumbnail: the image takes the slide geometry and blends the overlay with the tissue', async () => {
  const thumb = await sharp({ create: { width: 60, height: 40, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  const img = await renderHeatmapImage(grid, { image: thumb, level0Width: 600, level0Height: 400 }, { maxSide: 120, alpha: 0.5 });
  assert.deepEqual([img.width, img.height, img.scale, img.onThumbnail], [120, 80, 0.2, true]);
  assert.deepEqual(await pixel(img.png, 5, 5), [255, 0, 0], 'outside the grid: the thumbnail');
  const [r, g, b] = await pixel(img.png, 25, 5); // level-0 (125, 25): the cell with value 0
  const v = viridis(0);
  assert.ok(Math.abs(r! - (255 + v[0]) / 2) <= 2 && Math.abs(g! - v[1] / 2) <= 2 && Math.abs(b! - v[2] / 2) <= 2, `blended ${r},${g},${b}`);
});
