import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtLocal, fmtNum, fmtP, sanitise } from '../../../src/main/report/pdf-text.ts';

test('sanitise keeps WinAnsi text, spells out common symbols and counts what it had to replace', () => {
  assert.deepEqual(sanitise('Astrocytoma, IDH-mutant – grade 3; 0.5 µm/px; Ménière; “quoted”'), { text: 'Astrocytoma, IDH-mutant – grade 3; 0.5 µm/px; Ménière; “quoted”', replaced: 0 });
  assert.deepEqual(sanitise('Ki-67 ≥ 10 %, p ≤ 0.05, −2 → 3, 5 μm'), { text: 'Ki-67 >= 10 %, p <= 0.05, -2 -> 3, 5 µm', replaced: 0 });
  assert.deepEqual(sanitise('漢字 ok 🙂'), { text: '?? ok ?', replaced: 3 });
  assert.equal(sanitise('a\r\nb\rc').text, 'a\nb\nc');
  // Decomposed accents are composed first, so they survive.
  assert.equal(sanitise('Me\u0301nie\u0300re').text, 'Ménière');
});

test('number and date formats: probabilities to two decimals, ISO 8601 local time with offset', () => {
  assert.equal(fmtP(0.9137), '0.91');
  assert.equal(fmtP(0.5), '0.50');
  assert.equal(fmtP(1), '>= 0.99');
  assert.equal(fmtP(0.001), '< 0.01');
  assert.equal(fmtNum(3), '3');
  assert.equal(fmtNum(0.0123456), '0.0123');
  assert.equal(fmtNum(null), '—');
  assert.equal(fmtNum(Number.NaN), '—');
  assert.match(fmtLocal('2026-11-28T09:15:00.000Z'), /^2026-11-2\d \d{2}:\d{2}:00 [+-]\d{2}:\d{2}$/);
  assert.equal(fmtLocal(null), '—');
  assert.equal(fmtLocal('not a date'), 'not a date');
});
