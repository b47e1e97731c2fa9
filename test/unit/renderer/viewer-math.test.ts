/** The viewer's pure helpers: scale bar lengths, magnification readout, colour map and heatmap normalisation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtMag, heatNormalise, magnification, scaleBar, viridis, viridisCss } from '../../../src/renderer/features/viewer/viewer-math.ts';

test('scale bar picks a 1-2-5 length no longer than the target and says its unit', () => {
  // 0.5 µm per screen px, target 140 px = 70 µm → 50 µm bar of 100 px.
  assert.deepEqual(scaleBar(0.5, 140), { px: 100, label: '50 µm' });
  // 10 µm/px: 1400 µm → 1 mm (100 px).
  assert.deepEqual(scaleBar(10, 140), { px: 100, label: '1 mm' });
  // 4 µm/px: 560 µm → 500 µm (125 px).
  assert.deepEqual(scaleBar(4, 140), { px: 125, label: '500 µm' });
  // 0.0025 µm/px (extreme zoom): 0.35 µm → 200 nm.
  assert.equal(scaleBar(0.0025, 140)?.label, '200 nm');
  for (const u of [0.013, 0.27, 1.9, 33, 777]) {
    const s = scaleBar(u, 140)!;
    assert.ok(s.px <= 140 + 1e-9 && s.px > 140 / 5 - 1e-9, `bar ${s.px}px for ${u} µm/px`);
    assert.match(s.label, /^(1|2|5|10|20|50|100|200|500)(\.\d+)? (nm|µm|mm)$/);
  }
  assert.equal(scaleBar(0, 140), null);
  assert.equal(scaleBar(Number.NaN, 140), null);
});

test('magnification is objective power × screen zoom, else estimated from MPP and flagged', () => {
  assert.deepEqual(magnification(0.5, 20, 0.5), { value: 10, estimated: false });
  assert.deepEqual(magnification(1, null, 0.25), { value: 40, estimated: true });
  assert.equal(magnification(1, null, null), null);
  assert.equal(fmtMag(12.345), '12.3×');
  assert.equal(fmtMag(0.5), '0.50×');
});

test('viridis runs from dark purple to yellow and the legend gradient has every stop', () => {
  assert.deepEqual(viridis(0), [68, 1, 84]);
  assert.deepEqual(viridis(1), [253, 231, 37]);
  assert.deepEqual(viridis(-3), viridis(0));
  assert.deepEqual(viridis(7), viridis(1));
  // Perceptually ordered: luminance rises monotonically.
  const lum = (c: [number, number, number]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  for (let i = 1; i <= 20; i++) assert.ok(lum(viridis(i / 20)) > lum(viridis((i - 1) / 20)));
  assert.equal((viridisCss().match(/rgb\(/g) ?? []).length, 9);
});

test('heatmap values are min–max normalised over valueRange; missing cells stay empty', () => {
  assert.equal(heatNormalise(5, [0, 10]), 0.5);
  assert.equal(heatNormalise(-1, [0, 10]), 0);
  assert.equal(heatNormalise(11, [0, 10]), 1);
  assert.equal(heatNormalise(null, [0, 10]), null);
  assert.equal(heatNormalise(Number.NaN, [0, 10]), null);
  assert.equal(heatNormalise(3, [3, 3]), 1, 'a constant map shows every analysed tile');
});

test('presets and typed magnification: the zoom that magnification() reads back as the target (issue 14 item 8)', async () => {
  const { imageZoomForMagnification } = await import('../../../src/renderer/features/viewer/viewer-math.ts');
  for (const [target, power, mpp] of [[10, 20, 0.5], [40, 20, 0.25], [5, null, 0.499], [12.5, 40, null]] as const) {
    const z = imageZoomForMagnification(target, power, mpp);
    assert.ok(z !== null);
    assert.ok(Math.abs(magnification(z, power, mpp)!.value - target) < 1e-9);
  }
  assert.equal(imageZoomForMagnification(10, null, null), null);
  assert.equal(imageZoomForMagnification(0, 20, 0.5), null);
});
