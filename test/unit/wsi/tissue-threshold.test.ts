import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseThreshold, describeThreshold, otsuStats } from '../../../src/main/wsi/tissue-threshold.ts';

/** n values drawn evenly from [lo, hi]. */
function band(n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((hi - lo) * i) / Math.max(1, n - 1)));
}

test('two populations (glass + tissue): bimodal; Otsu between them, capped by the configured threshold', () => {
  const v = Uint8Array.from([...band(6000, 0, 30), ...band(4000, 50, 90)]);
  const s = otsuStats(v);
  assert.ok(s.threshold >= 30 && s.threshold < 50, `otsu ${s.threshold}`);
  assert.ok(s.separation > 0.85, `separation ${s.separation}`);
  const capped = chooseThreshold(v, { method: 'otsu', threshold: 20 });
  assert.deepEqual([capped.rule, capped.threshold], ['otsu-capped', 20]);
  const own = chooseThreshold(v, { method: 'otsu', threshold: 80 });
  assert.deepEqual([own.rule, own.threshold], ['otsu', s.threshold]);
});

test('one population (all tissue): not bimodal, the configured threshold is used', () => {
  const v = Uint8Array.from(band(10000, 25, 140));
  const c = chooseThreshold(v, { method: 'otsu', threshold: 20 });
  assert.equal(c.rule, 'not-bimodal');
  assert.equal(c.threshold, 20);
  assert.ok((c.otsu ?? 0) > 60, 'Otsu would cut the band in half');
  assert.match(describeThreshold(c), /not bimodal/);
});

test('a tiny second class (a speck of tissue on glass) does not count as bimodal', () => {
  const v = Uint8Array.from([...band(9950, 0, 4), ...band(50, 150, 160)]);
  assert.equal(chooseThreshold(v, { method: 'otsu', threshold: 20 }).rule, 'not-bimodal');
});

test('fixed: the configured threshold, no Otsu', () => {
  const c = chooseThreshold(Uint8Array.from(band(100, 0, 255)), { method: 'fixed', threshold: 8 });
  assert.deepEqual(c, { threshold: 8, rule: 'fixed', otsu: null, separation: null, minorClass: null });
  assert.equal(describeThreshold(c), 'fixed threshold 8');
});

test('constant image: no separation, configured threshold', () => {
  const c = chooseThreshold(new Uint8Array(500).fill(3), { method: 'otsu', threshold: 20 });
  assert.equal(c.rule, 'not-bimodal');
  assert.equal(c.separation, 0);
});
