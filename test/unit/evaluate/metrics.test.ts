import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryAuc, bootstrap, classificationMetrics, harrellCIndex, meanSd, percentile, seededRandom } from '../../../src/main/evaluate/metrics.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('Harrell c-index on a hand-computed case: only deaths anchor pairs', () => {
  // Comparable pairs: death@1 vs {2,3,4} (risks 3 vs 1, 2, 4 -> 1, 1, 0); death@3 vs censored@4 (2 vs 4 -> 0). 2/4.
  const r = harrellCIndex([
    { time: 1, event: 1, risk: 3 },
    { time: 2, event: 0, risk: 1 },
    { time: 3, event: 1, risk: 2 },
    { time: 4, event: 0, risk: 4 },
  ]);
  assert.equal(r.comparablePairs, 4);
  assert.equal(r.events, 2);
  assert.equal(r.n, 4);
  close(r.cIndex, 0.5);
});

test('Harrell c-index tie rules: equal risks count 1/2, death vs censored at the same time is comparable, two deaths at the same time are not', () => {
  // death@5 r2: vs censored@5 r1 -> 1; vs censored@7 r2 -> 1/2 (risk tie); vs death@5 -> not comparable.
  // death@5 r0.5: vs censored@5 r1 -> 0; vs censored@7 r2 -> 0. => 1.5 / 4.
  const r = harrellCIndex([
    { time: 5, event: 1, risk: 2 },
    { time: 5, event: 0, risk: 1 },
    { time: 5, event: 1, risk: 0.5 },
    { time: 7, event: 0, risk: 2 },
  ]);
  assert.equal(r.comparablePairs, 4);
  close(r.cIndex, 0.375);
});

test('c-index is 1 for a perfect ranking, 0 for a reversed one, NaN without deaths', () => {
  const recs = [10, 20, 30, 40].map((t, i) => ({ time: t, event: 1 as const, risk: 4 - i }));
  close(harrellCIndex(recs).cIndex, 1);
  close(harrellCIndex(recs.map((r) => ({ ...r, risk: -r.risk }))).cIndex, 0);
  assert.ok(Number.isNaN(harrellCIndex(recs.map((r) => ({ ...r, event: 0 as const }))).cIndex));
});

test('binary AUC counts tied scores as 1/2 and is NaN for one class', () => {
  close(binaryAuc([1, 1, 0, 0], [0.9, 0.4, 0.4, 0.1]), (2 + 1.5) / 4);
  assert.ok(Number.isNaN(binaryAuc([1, 1], [0.2, 0.3])));
});

test('classification metrics on a hand-computed 3-class case', () => {
  const m = classificationMetrics({
    classes: ['A', 'B', 'C'],
    labels: [0, 0, 1, 2, 2],
    probs: [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6], [0.4, 0.4, 0.2]],
  });
  close(m.accuracy, 0.6); // predictions A, B, B, C, A (the A/B tie goes to the first column)
  close(m.balancedAccuracy, (0.5 + 1 + 0.5) / 3);
  close(m.aucPerClass[0] as number, 0.75);
  close(m.aucPerClass[1] as number, 1);
  close(m.aucPerClass[2] as number, 0.75);
  close(m.aucMacro, 2.5 / 3);
  close(m.aucMicro, 37 / 50);
});

test('macro AUC skips a class absent from the labels; balanced accuracy averages present classes only', () => {
  const m = classificationMetrics({ classes: ['A', 'B', 'C'], labels: [0, 1, 0, 1], probs: [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.4, 0.5, 0.1], [0.2, 0.3, 0.5]] });
  assert.ok(Number.isNaN(m.aucPerClass[2] as number));
  close(m.aucMacro, (1 + 0.75) / 2); // A: {.8,.4} vs {.3,.2} -> 1; B: {.6,.3} vs {.1,.5} -> 3/4
  close(m.balancedAccuracy, (0.5 + 0.5) / 2);
});

test('percentile interpolates like numpy, sd is the sample sd (ddof 1)', () => {
  close(percentile([1, 2, 3, 4], 0.5), 2.5);
  close(percentile([1, 2, 3, 4, 5], 0.025), 1.1);
  const ms = meanSd([1, 2, 3, 4]);
  close(ms.mean, 2.5);
  close(ms.sd, Math.sqrt(5 / 3));
  assert.equal(meanSd([0.7]).sd, 0);
});

test('bootstrap is reproducible for a seed and its interval brackets the estimate', () => {
  const rand = seededRandom(7);
  const recs = Array.from({ length: 120 }, (_, i) => ({ time: 1 + rand() * 100, event: (i % 3 === 0 ? 0 : 1) as 0 | 1, risk: 0 }));
  recs.forEach((r) => { r.risk = -r.time + rand() * 60; });
  const est = harrellCIndex(recs).cIndex;
  const a = bootstrap(recs, (s) => ({ c: harrellCIndex(s).cIndex }), { reps: 300, seed: 11 });
  const b = bootstrap(recs, (s) => ({ c: harrellCIndex(s).cIndex }), { reps: 300, seed: 11 });
  const c = bootstrap(recs, (s) => ({ c: harrellCIndex(s).cIndex }), { reps: 300, seed: 12 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.c.valid, 300);
  assert.ok(a.c.lower < est && est < a.c.upper, `${a.c.lower} < ${est} < ${a.c.upper}`);
  assert.ok(a.c.upper - a.c.lower < 0.3);
});
