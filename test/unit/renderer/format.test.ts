/** Display formats (UI.md): ISO 8601 local times, offsets, sizes with units, probabilities to two decimals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtBytes, fmtDate, fmtDateTime, fmtProb, localOffset, shortHash } from '../../../src/renderer/lib/format.ts';

test('times are shown as local YYYY-MM-DD HH:mm:ss and the offset is named', () => {
  const iso = '2025-03-04T05:06:07.000Z';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  assert.equal(fmtDateTime(iso), `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`);
  assert.match(fmtDateTime(iso), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.equal(fmtDateTime(null), '—');
  assert.equal(fmtDateTime('not a date'), 'not a date');
  assert.match(localOffset(d), /^UTC[+-]\d{2}:\d{2}$/);
  assert.equal(fmtDate('2025-03-04'), '2025-03-04');
});

test('sizes carry binary units, probabilities two decimals, hashes are shortened visibly', () => {
  assert.equal(fmtBytes(512), '512 B');
  assert.equal(fmtBytes(1536), '1.5 KiB');
  assert.equal(fmtBytes(1_887_000), '1.8 MiB');
  assert.equal(fmtBytes(5 * 1024 ** 3), '5.0 GiB');
  assert.equal(fmtBytes(300 * 1024 ** 3), '300 GiB');
  assert.equal(fmtProb(0.9149), '0.91');
  // Issue 14 item 2: a class at 0.996 is not "1.00".
  assert.equal(fmtProb(1), '≥ 0.99');
  assert.equal(fmtProb(0.9951), '≥ 0.99');
  assert.equal(fmtProb(0.9949), '0.99');
  assert.equal(fmtProb(0.0049), '< 0.01');
  assert.equal(fmtProb(0.005), '0.01');
  assert.equal(shortHash('a'.repeat(64), 8), 'aaaaaaaa…');
  assert.equal(shortHash('abc', 8), 'abc');
});

test('survival risk in words, not raw numbers (issue 14 item 9)', async () => {
  const { riskInWords } = await import('../../../src/renderer/features/analysis/risk-words.ts');
  assert.equal(riskInWords(-1.198, [-3.827, -1.243], 'high'), 'Risk score −1.20, at or above the highest cut-off −1.24: the high group.');
  assert.equal(riskInWords(-2, [-3.827, -1.243], 'intermediate'), 'Risk score −2.00, between the cut-offs −3.83 and −1.24: the intermediate group.');
  assert.equal(riskInWords(-4, [-1.243, -3.827], 'low'), 'Risk score −4.00, below the lowest cut-off −3.83: the low group.');
});
