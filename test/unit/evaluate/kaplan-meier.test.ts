import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaplanMeier, logRank, type SurvivalObs } from '../../../src/main/evaluate/kaplan-meier.ts';

// R's survival::aml (acute myelogenous leukaemia, maintenance chemotherapy); "+" = censored.
const parse = (s: string): SurvivalObs[] => s.split(' ').map((x) => ({ time: Number(x.replace('+', '')), event: x.endsWith('+') ? 0 : 1 }));
const maintained = parse('9 13 13+ 18 23 28+ 31 34 45+ 48 161+');
const nonmaintained = parse('5 5 8 8 12 16+ 23 27 30 33 43 45');

test('Kaplan–Meier on aml matches R survfit: medians 31 and 23, S(t) steps', () => {
  const m = kaplanMeier(maintained);
  assert.equal(m.n, 11);
  assert.equal(m.events, 7);
  assert.equal(m.median, 31);
  assert.ok(Math.abs(m.steps[0]!.survival - 10 / 11) < 1e-12);
  assert.ok(Math.abs(m.steps.find((s) => s.time === 18)!.survival - 0.7159091) < 1e-6);
  // survfit(Surv(time, status) ~ 1, conf.type = 'log-log'): median 31, 95 % CI 13 to NA.
  assert.deepEqual([m.medianLower, m.medianUpper], [13, null]);
  const n = kaplanMeier(nonmaintained);
  assert.equal(n.median, 23);
  for (const s of [...m.steps, ...n.steps]) assert.ok(s.lower <= s.survival && s.survival <= s.upper);
});

test('log-rank on aml matches R survdiff: chi-square 3.4, p 0.065', () => {
  const r = logRank(maintained, nonmaintained);
  assert.ok(Math.abs(r.chiSquare - 3.396) < 0.001, String(r.chiSquare));
  assert.ok(Math.abs(r.p - 0.0653) < 0.0005, String(r.p));
  assert.deepEqual(r.observed, [7, 11]);
  assert.ok(Math.abs(r.expected[0] - 10.69) < 0.01);
});

test('identical groups give p = 1; no event gives no median', () => {
  assert.ok(logRank(maintained, maintained).p > 0.999);
  assert.equal(kaplanMeier(parse('1+ 2+ 3+')).median, null);
});
