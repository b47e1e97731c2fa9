import { test } from 'node:test';
import assert from 'node:assert/strict';
import { genomicAttributions, heatmapGrid, topPatches } from '../../../src/main/analysis/explanations.ts';
import { HeatmapGrid } from '../../../src/shared/analysis-result.ts';
import type { ModelManifest } from '../../../src/shared/model-manifest.ts';

test('heatmap: each tile lands in its grid cell, empty cells are null, value range is the raw min/max', () => {
  const grid = { originX: 100, originY: 50, spacingX: 224, spacingY: 224, cols: 3, rows: 2 };
  const coords: [number, number][] = [[100, 50], [548, 50], [324, 274]];
  const hm = heatmapGrid(coords, Float32Array.from([0.5, 0.2, 0.3]), grid);
  assert.ok(HeatmapGrid.safeParse(hm).success);
  assert.equal(hm.width, 3);
  assert.equal(hm.height, 2);
  assert.deepEqual(hm.values.map((v) => (v === null ? null : Math.round(v * 10) / 10)), [0.5, null, 0.2, null, 0.3, null]);
  assert.deepEqual(hm.valueRange.map((v) => Math.round(v * 10) / 10), [0.2, 0.5]);
  assert.equal(hm.originX, 100);
  assert.equal(hm.spacingY, 224);
  assert.match(hm.quantity, /attention/);
  const empty = heatmapGrid([], new Float32Array(0), grid);
  assert.deepEqual(empty.valueRange, [0, 0]);
  assert.ok(empty.values.every((v) => v === null));
});

test('top patches: highest attention first, with the argmax prototype', () => {
  const coords: [number, number][] = [[0, 0], [224, 0], [448, 0], [0, 224]];
  const att = Float32Array.from([0.1, 0.4, 0.3, 0.2]);
  const assign = Float32Array.from([
    1, 0, 0,
    0.1, 0.2, 0.7,
    0.6, 0.3, 0.1,
    0, 1, 0,
  ]);
  const t = topPatches(coords, att, assign, 3, 224, 3);
  assert.deepEqual(t.map((p) => [p.x, p.y, p.prototype]), [[224, 0, 2], [448, 0, 0], [0, 224, 1]]);
  assert.ok(Math.abs((t[0]?.score ?? 0) - 0.4) < 1e-7);
  assert.equal(t[0]?.size, 224);
});

const feat = (id: string, impute: number, mean: number, std: number): ModelManifest['genomicSchema']['features'][number] =>
  ({ id, displayName: id.toUpperCase(), group: 'gene_cnv', type: 'number', min: -10, max: 10, unit: null, impute, normalise: { mean, std }, aliases: [] });

test('genomic ablation: observed fields replaced by their imputation (value and mask), Δ = base − ablated, sorted', async () => {
  const features = [feat('a', 1, 1, 2), feat('b', 0, 0, 1), feat('c', 0, 0, 1)];
  const vector = Float32Array.from([1.5, -2, 0]);
  const mask = Float32Array.from([1, 1, 0]);
  const seen: { g: number[]; m: number[] }[] = [];
  // A transparent "model": risk = sum(g·m), class probs from risk.
  const model = async (g: Float32Array, m: Float32Array) => {
    seen.push({ g: Array.from(g), m: Array.from(m) });
    const risk = g.reduce((s, v, i) => s + v * (m[i] as number), 0);
    return { risk, classProbs: [0.5 + risk / 10, 0.5 - risk / 10] };
  };
  const base = await model(vector, mask);
  seen.length = 0;
  const out = await genomicAttributions(features, vector, mask, { a: 4, b: -2, c: null }, base, model);
  assert.equal(seen.length, 2, 'one run per observed field');
  assert.deepEqual(seen[0], { g: [0, -2, 0], m: [0, 1, 0] }, 'a → (impute − mean)/std = 0, mask 0');
  assert.deepEqual(seen[1], { g: [1.5, 0, 0], m: [1, 0, 0] });
  assert.deepEqual(out.map((x) => x.featureId), ['b', 'a', 'c']);
  const b = out.find((x) => x.featureId === 'b');
  assert.equal(b?.attribution, -2, 'observed b = −2 lowers the risk by 2 versus missing');
  assert.ok(Math.abs((b?.deltaTopClassProb ?? 0) - 0.2) < 1e-9, 'top class (index 1: 0.55 at base) has 0.35 with b missing, so observed b adds 0.2');
  assert.equal(out.find((x) => x.featureId === 'a')?.attribution, 1.5);
  assert.deepEqual(out.find((x) => x.featureId === 'c'), { featureId: 'c', display: 'C', value: null, imputed: true, attribution: 0, deltaTopClassProb: 0 });
});

test('genomic ablation stops when cancelled', async () => {
  let calls = 0;
  await assert.rejects(genomicAttributions([feat('a', 0, 0, 1), feat('b', 0, 0, 1)], Float32Array.from([1, 1]), Float32Array.from([1, 1]), {}, { risk: 0, classProbs: [1] },
    async () => { calls++; return { risk: 0, classProbs: [1] }; },
    () => { if (calls >= 1) throw new Error('cancelled'); }), /cancelled/);
  assert.equal(calls, 1);
});
