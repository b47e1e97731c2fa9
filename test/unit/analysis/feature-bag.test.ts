import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BagWriter, readBag, COORDS_FILE, FEATURES_FILE } from '../../../src/main/analysis/feature-bag.ts';
import { FeatureCache, featureCacheKey } from '../../../src/main/analysis/feature-cache.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gliofuse-bag-'));
const meta = { tileEncoder: { id: 'enc', sha256: 'e'.repeat(64) }, mpp: 0.5, tileSize: 224 };

test('a bag is published only when finished, in the documented layout', () => {
  const dir = path.join(tmp(), 'bag');
  const w = BagWriter.create(dir, 3);
  w.append(Float32Array.from([1, 2, 3, 4, 5, 6]), [[0, 0], [224, 0]]);
  assert.equal(fs.existsSync(dir), false, 'nothing under the final name while writing');
  w.append(Float32Array.from([7, 8, 9]), [[0, 224]]);
  const m = w.finish({ ...meta, tileSizeLevel0: 224 });
  assert.equal(m.count, 3);
  assert.deepEqual(fs.readdirSync(dir).sort(), [COORDS_FILE, FEATURES_FILE]);
  const raw = fs.readFileSync(path.join(dir, FEATURES_FILE));
  assert.equal(raw.length, 3 * 3 * 4);
  assert.equal(raw.readFloatLE(4 * 4), 5, 'little-endian float32, row-major');
  const json = JSON.parse(fs.readFileSync(path.join(dir, COORDS_FILE), 'utf8')) as Record<string, unknown>;
  for (const k of ['featureDim', 'count', 'tileEncoder', 'mpp', 'tileSize', 'coords']) assert.ok(k in json, k);
  assert.deepEqual(json.coords, [[0, 0], [224, 0], [0, 224]]);
  const bag = readBag(dir, { expectedDim: 3, verifyHash: true });
  assert.deepEqual(Array.from(bag.features), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(fs.readdirSync(path.dirname(dir)).length, 1, 'no temporary folder left');
});

test('aborted bags leave nothing; damaged bags are refused and dropped from the cache', () => {
  const root = tmp();
  const w = BagWriter.create(path.join(root, 'x'), 2);
  w.append(Float32Array.from([1, 2]), [[0, 0]]);
  w.abort();
  assert.deepEqual(fs.readdirSync(root), []);

  const cache = new FeatureCache(path.join(root, 'cache'));
  const key = 'a'.repeat(64);
  const cw = cache.writer(key, 2);
  cw.append(Float32Array.from([1, 2, 3, 4]), [[0, 0], [1, 1]]);
  cw.finish(meta);
  assert.equal(cache.lookup(key, 2)?.meta.count, 2);
  assert.throws(() => readBag(cache.dirFor(key), { expectedDim: 5 }), /5 are needed/);
  const f = path.join(cache.dirFor(key), FEATURES_FILE);
  const b = fs.readFileSync(f);
  b[0] = (b[0] ?? 0) ^ 1;
  fs.writeFileSync(f, b);
  assert.throws(() => readBag(cache.dirFor(key), { verifyHash: true }), /does not match the sha256/);
  assert.equal(cache.lookup(key, 2), null, 'a damaged bag is a miss');
  assert.equal(fs.existsSync(cache.dirFor(key)), false, 'and is removed');
  fs.mkdirSync(path.join(root, 'short'));
  fs.writeFileSync(path.join(root, 'short', COORDS_FILE), JSON.stringify({ ...meta, featureDim: 2, count: 2, coords: [[0, 0], [1, 1]] }));
  fs.writeFileSync(path.join(root, 'short', FEATURES_FILE), Buffer.alloc(12));
  assert.throws(() => readBag(path.join(root, 'short')), /has 12 bytes; count × featureDim × 4 = 16/);
});

test('cache key: stable across key order, different for any input that changes the features', () => {
  const base = { slide: { hashKind: 'sha256', hash: 'h1' }, encoder: { id: 'enc', sha256: 's1' }, tiling: { mpp: 0.5, size: 224, minTissue: 0.5 }, tissue: { method: 'otsu', medianSize: 7 } };
  const k = featureCacheKey(base);
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(featureCacheKey({ tissue: { medianSize: 7, method: 'otsu' }, tiling: { size: 224, minTissue: 0.5, mpp: 0.5 }, encoder: { sha256: 's1', id: 'enc' }, slide: { hash: 'h1', hashKind: 'sha256' } }), k);
  const variants = [
    { ...base, slide: { hashKind: 'sha256', hash: 'h2' } },
    { ...base, encoder: { id: 'enc', sha256: 's2' } },
    { ...base, tiling: { ...base.tiling, minTissue: 0.4 } },
    { ...base, tiling: { ...base.tiling, slideMpp: 0.25 } },
    { ...base, tissue: { ...base.tissue, medianSize: 5 } },
  ];
  assert.equal(new Set([k, ...variants.map(featureCacheKey)]).size, variants.length + 1);
});
